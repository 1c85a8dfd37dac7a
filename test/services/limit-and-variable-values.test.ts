import {expect} from 'chai';

import {activeSlotsAfterDecay} from '../../src/repositories/concurrency-limits.js';
import {parseVariableValue} from '../../src/services/variables.js';

describe('active slots after decay, as Prefect computes them when read', () => {
  const updated = '2026-01-01T00:00:00.000000Z';
  const at = (seconds: number) => Date.parse(updated) + seconds * 1000;

  it('subtracts floor(decay × seconds since updated), never below 0', () => {
    expect(activeSlotsAfterDecay(10, 0.5, updated, at(4.9))).to.equal(8);
    expect(activeSlotsAfterDecay(10, 0.5, updated, at(5))).to.equal(8);
    expect(activeSlotsAfterDecay(10, 0.5, updated, at(6))).to.equal(7);
    expect(activeSlotsAfterDecay(10, 0, updated, at(3600))).to.equal(10);
    expect(activeSlotsAfterDecay(3, 2, updated, at(60))).to.equal(0);
  });
});

describe('variable values from the command line', () => {
  it('Prefect 3: JSON when it parses as JSON, else the text', () => {
    expect(parseVariableValue('42', true)).to.equal(42);
    expect(parseVariableValue('{"a": [1]}', true)).to.deep.equal({a: [1]});
    expect(parseVariableValue('"quoted"', true)).to.equal('quoted');
    expect(parseVariableValue('null', true)).to.equal(null);
    expect(parseVariableValue('not json', true)).to.equal('not json');
  });

  it('Prefect 2.x (text only): a JSON string unquoted, anything else as given', () => {
    expect(parseVariableValue('"quoted"', false)).to.equal('quoted');
    expect(parseVariableValue('42', false)).to.equal('42');
    expect(parseVariableValue('{"a": [1]}', false)).to.equal('{"a": [1]}');
    expect(parseVariableValue('plain', false)).to.equal('plain');
  });
});
