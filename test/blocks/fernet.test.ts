import {expect} from 'chai';

import {decryptFernet, encryptFernet, InvalidFernetToken, isFernetKey, parseFernetKey} from '../../src/blocks/fernet.js';

/**
 * Made once with Python's `cryptography` 48.0.0:
 *   Fernet(key)._encrypt_from_parts(plaintext.encode(), time, bytes.fromhex(iv)).decode()
 * Python is not needed to run these tests.
 */
const PYTHON_TOKENS = [
  {
    key: 'Fh6ZqVUI6oV2TEk2V7CvWZ9k9sXb1PBXgSpnY1S0S2g=',
    plaintext: '{"value": "hunter2"}',
    time: 1767225600,
    iv: '000102030405060708090a0b0c0d0e0f',
    token: 'gAAAAABpVbkAAAECAwQFBgcICQoLDA0OD9MEF7qLbO7UlIofs_Wz_ezvLaEBk_xzyS64DkzOjIDWS0eOvC0Bs66xteBcs346d-_nzx24sHmSnd0S0CrRvUg=',
  },
  {
    key: 'Fh6ZqVUI6oV2TEk2V7CvWZ9k9sXb1PBXgSpnY1S0S2g=',
    plaintext: '',
    time: 1767225601,
    iv: 'ffffffffffffffffffffffffffffffff',
    token: 'gAAAAABpVbkB_____________________-m6UB0NcQJ32GARtPAWv2gcO4yd385R2EdaSfQPVRrF6a1Rs2zvZYojM0Ao7WVAKQ==',
  },
  {
    key: 'q_bkt2XHC9ZzSiZxTy2mDdbMM3ZcR4Wt3Y4-QZzzv1c=',
    plaintext: '{"name": "caf\\u00e9", "n": [1, 2.5, null]}',
    time: 1700000000,
    iv: '07070707070707070707070707070707',
    token:
      'gAAAAABlU_EABwcHBwcHBwcHBwcHBwcHB9PVA-pyW7AnBEqq0L5BC77Yhm4UUkdoB9xJSEB5j-84qb8bR6hL_cOFmTfsbqAYmRVJjyuI_W4MgVhPbuVvQYZesKbKjK1cOweOgHr_qAZP',
  },
  {
    key: 'q_bkt2XHC9ZzSiZxTy2mDdbMM3ZcR4Wt3Y4-QZzzv1c=',
    plaintext: 'xxxxxxxxxxxxxxxx',
    time: 1,
    iv: '00000000000000000000000000000000',
    token: 'gAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAACKrqg2rHg3dSBinF7aNtnL2ra-0V_gDHwEr6fJOCBh3WoAeHk42cEwWJsnpTe8d9mGo1-70pHj9JgKik9E7m7M=',
  },
];

describe('Fernet', () => {
  it('decrypts tokens made by Python', () => {
    for (const vector of PYTHON_TOKENS) {
      expect(decryptFernet(parseFernetKey(vector.key), vector.token).toString('utf8')).to.equal(vector.plaintext);
    }
  });

  it('makes byte-identical tokens to Python for the same time and IV, "=" padding kept', () => {
    for (const vector of PYTHON_TOKENS) {
      const token = encryptFernet(parseFernetKey(vector.key), vector.plaintext, {time: vector.time, iv: Buffer.from(vector.iv, 'hex')});
      expect(token).to.equal(vector.token);
    }
  });

  it('round-trips with a random IV and the current time', () => {
    const key = parseFernetKey(PYTHON_TOKENS[0].key);
    const token = encryptFernet(key, 'héllo');
    expect(token).to.match(/^gAAAAA[A-Za-z0-9_-]+=*$/);
    expect(token.length % 4).to.equal(0);
    expect(decryptFernet(key, token).toString('utf8')).to.equal('héllo');
    expect(encryptFernet(key, 'héllo')).not.to.equal(token);
  });

  it('rejects a token under another key, a tampered token and non-tokens', () => {
    const [first, , third] = PYTHON_TOKENS;
    const wrongKey = parseFernetKey(third.key);
    expect(() => decryptFernet(wrongKey, first.token)).to.throw(InvalidFernetToken, /signature/);
    const tampered = first.token.slice(0, 40) + (first.token[40] === 'A' ? 'B' : 'A') + first.token.slice(41);
    expect(() => decryptFernet(parseFernetKey(first.key), tampered)).to.throw(InvalidFernetToken);
    expect(() => decryptFernet(wrongKey, 'not a token!')).to.throw(InvalidFernetToken, /base64/);
    expect(() => decryptFernet(wrongKey, 'gAAAAAB')).to.throw(InvalidFernetToken, /malformed/);
  });

  it('accepts only keys Fernet.generate_key() could have made', () => {
    expect(isFernetKey(PYTHON_TOKENS[0].key)).to.equal(true);
    expect(isFernetKey(PYTHON_TOKENS[0].key.slice(0, -1))).to.equal(false);
    expect(isFernetKey('short=')).to.equal(false);
    const key = PYTHON_TOKENS[0].key;
    expect(isFernetKey(key.slice(0, 10) + '/' + key.slice(11))).to.equal(false);
    expect(() => parseFernetKey('nope')).to.throw(/32 url-safe base64-encoded bytes/);
  });
});
