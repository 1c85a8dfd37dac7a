import {expect} from 'chai';

import {chooseEncryptionKey} from '../../src/blocks/encryption-key.js';
import {CliError} from '../../src/errors.js';

const KEY_A = 'Fh6ZqVUI6oV2TEk2V7CvWZ9k9sXb1PBXgSpnY1S0S2g=';
const KEY_B = 'q_bkt2XHC9ZzSiZxTy2mDdbMM3ZcR4Wt3Y4-QZzzv1c=';
const stored = {fernet_key: KEY_A};

function exitCodeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof CliError) return error.exitCode;
    throw error;
  }
  return undefined;
}

describe('block encryption key lookup', () => {
  it('prefers PREFECT_SERVER_ENCRYPTION_KEY, then ORION_ENCRYPTION_KEY, then the configuration row', () => {
    expect(chooseEncryptionKey({PREFECT_SERVER_ENCRYPTION_KEY: KEY_B, ORION_ENCRYPTION_KEY: KEY_A}, stored).source).to.equal(
      'PREFECT_SERVER_ENCRYPTION_KEY',
    );
    expect(chooseEncryptionKey({ORION_ENCRYPTION_KEY: KEY_B}, stored).source).to.equal('ORION_ENCRYPTION_KEY');
    expect(chooseEncryptionKey({}, stored).source).to.equal('the configuration row ENCRYPTION_KEY');
    // An empty variable counts as unset, as in Prefect.
    expect(chooseEncryptionKey({PREFECT_SERVER_ENCRYPTION_KEY: ''}, stored).source).to.equal('the configuration row ENCRYPTION_KEY');
  });

  it('refuses (exit 4) when there is no key anywhere, and never invents one', () => {
    expect(exitCodeOf(() => chooseEncryptionKey({}, undefined))).to.equal(4);
    expect(() => chooseEncryptionKey({}, undefined)).to.throw(/no ENCRYPTION_KEY configuration row; set PREFECT_SERVER_ENCRYPTION_KEY/);
  });

  it('rejects a malformed key: exit 2 from the environment, exit 4 from the database', () => {
    expect(exitCodeOf(() => chooseEncryptionKey({PREFECT_SERVER_ENCRYPTION_KEY: 'secret'}, stored))).to.equal(2);
    expect(exitCodeOf(() => chooseEncryptionKey({}, {fernet_key: 'short'}))).to.equal(4);
    expect(exitCodeOf(() => chooseEncryptionKey({}, {}))).to.equal(4);
  });
});
