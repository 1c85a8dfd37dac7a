import {expect} from 'chai';

import {pythonJsonDumps} from '../../src/db/migration-helpers/python-json.js';

describe("pythonJsonDumps: JSON text as Python's json.dumps writes it", () => {
  it('separates items with ", " and ": " and escapes everything outside printable ASCII', () => {
    // Expected text printed by python3: json.dumps({...}) with the same value.
    const value = {a: [1, 'é'], b: null, c: true, d: {e: 'x\ny\u007f\t"\\/'}, f: '😀'};
    expect(pythonJsonDumps(value)).to.equal('{"a": [1, "\\u00e9"], "b": null, "c": true, "d": {"e": "x\\ny\\u007f\\t\\"\\\\/"}, "f": "\\ud83d\\ude00"}');
  });

  it('writes empty containers as Python does', () => {
    expect(pythonJsonDumps({list: [], object: {}})).to.equal('{"list": [], "object": {}}');
  });
});
