import {expect} from 'chai';

import {newUuid7} from '../../src/db/ids.js';

describe('newUuid7', () => {
  it('makes lowercase RFC 9562 version-7 ids carrying the time, all different', () => {
    const millis = Date.UTC(2026, 0, 15, 12, 0, 0, 123);
    const ids = Array.from({length: 2000}, () => newUuid7(millis));
    for (const id of ids) {
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).to.equal(millis);
    }
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
