import {expect} from 'chai';

import {checkBlockName, keepMaskedSecrets, parseBlockData, separateReferences} from '../../src/blocks/block-data.js';
import {CliError} from '../../src/errors.js';

const MASK = '********';

function exitCodeOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof CliError ? error.exitCode : -1;
  }
  return undefined;
}

describe('block data before encryption', () => {
  it('splits top-level $ref fields into references and keeps the rest in order', () => {
    const {own, references} = separateReferences({b: 1, creds: {$ref: {block_document_id: 'ABC-1'}}, a: {nested: {$ref: 'kept'}}});
    expect(Object.keys(own)).to.deep.equal(['b', 'a']);
    expect(references).to.deep.equal([{field: 'creds', blockDocumentId: 'abc-1'}]);
    expect(exitCodeOf(() => separateReferences({creds: {$ref: {}}}))).to.equal(2);
  });

  it('puts back a secret posted as its mask, as Prefect\'s update does, and takes a new one', () => {
    const current = {password: 'old', user: 'u', extra: {token: 't'}};
    expect(keepMaskedSecrets({password: MASK, user: 'v'}, current, ['password'])).to.deep.equal({password: 'old', user: 'v'});
    expect(keepMaskedSecrets({password: 'new'}, current, ['password'])).to.deep.equal({password: 'new'});
  });

  it('puts back masked values under a wildcard secret field, leaving others as sent', () => {
    const current = {info: {key: 'k1', id: 'i1'}, name: 'n'};
    expect(keepMaskedSecrets({info: {key: MASK, id: 'i2'}}, current, ['info.*'])).to.deep.equal({info: {key: 'k1', id: 'i2'}});
  });

  it('reads --data as a JSON object only, and names as Prefect allows them', () => {
    expect(parseBlockData('{"value": 1}')).to.deep.equal({value: 1});
    expect(exitCodeOf(() => parseBlockData('"text"'))).to.equal(2);
    expect(exitCodeOf(() => parseBlockData('{'))).to.equal(2);
    expect(exitCodeOf(() => checkBlockName('ok-name-2'))).to.equal(undefined);
    expect(exitCodeOf(() => checkBlockName('Not_OK'))).to.equal(2);
  });
});
