import {expect} from 'chai';

import {pythonStrOfJson} from '../../src/db/migration-helpers/python-text.js';

// Expected texts printed by python3: str(json.loads(text)) for the same JSON text.
describe("pythonStrOfJson: a JSON value as Python's str() of json.loads prints it", () => {
  it('keeps a string as it is and prints the other scalars as Python does', () => {
    expect(['"hello"', '42', '1.5', 'true', 'false', 'null'].map(pythonStrOfJson)).to.deep.equal(['hello', '42', '1.5', 'True', 'False', 'None']);
  });

  it('prints floats in Python repr layout and keeps every digit of a big integer', () => {
    const texts = ['1e100', '1e-10', '1e16', '123456789.123', '0.0001', '-0.0', '1E+5', '0.10', '12345678901234567890123'];
    expect(texts.map(pythonStrOfJson)).to.deep.equal(['1e+100', '1e-10', '1e+16', '123456789.123', '0.0001', '-0.0', '100000.0', '0.1', '12345678901234567890123']);
  });

  it('prints lists and objects with repr strings: quotes chosen, unprintables escaped', () => {
    expect(pythonStrOfJson('{"a": 1, "b": [true, null, "x"]}')).to.equal("{'a': 1, 'b': [True, None, 'x']}");
    expect(pythonStrOfJson('[1, 2.50, "s"]')).to.equal("[1, 2.5, 's']");
    expect(pythonStrOfJson('{"it\'s": "say \\"hi\\"\\n\\u0001\\u00e9\\u2028\\ud83d\\ude00"}')).to.equal(`{"it's": 'say "hi"\\n\\x01é\\u2028😀'}`);
  });
});
