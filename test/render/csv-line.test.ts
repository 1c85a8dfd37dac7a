import {expect} from 'chai';
import {stringify} from 'csv-stringify/sync';

import {csvLine} from '../../src/render/csv-line.js';

describe('csvLine', () => {
  it('writes what csv-stringify writes with its defaults, field by field', () => {
    const records = [
      ['id', 'name', 'parameters'],
      ['', 'plain', '{"a":1,"b":[1,2]}'],
      ['say "hi"', 'a,b', 'line\nbreak'],
      ['carriage\rreturn', 'both\r\n', '"'],
      ['é ✓ 𝄞', ' spaced ', ',,'],
    ];
    expect(records.map((record) => csvLine(record)).join('')).to.equal(stringify(records));
  });
});
