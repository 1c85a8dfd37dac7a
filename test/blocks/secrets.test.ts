import {expect} from 'chai';

import {maskSecrets, OBFUSCATED, secretFieldsOf} from '../../src/blocks/secrets.js';

// Secret field lists below are copied from block schemas in the real fixture databases.
describe('block secret masking', () => {
  it('masks a top-level field and leaves the rest', () => {
    const data = {aws_access_key_id: 'AKIA', aws_secret_access_key: 'shh', region_name: 'eu-west-1'};
    expect(maskSecrets(data, ['aws_secret_access_key'])).to.deep.equal({...data, aws_secret_access_key: OBFUSCATED});
    expect(data.aws_secret_access_key).to.equal('shh');
  });

  it('masks whatever type the secret holds, but leaves a null or absent secret alone', () => {
    expect(maskSecrets({value: {user: 'u', password: 'p'}}, ['value', 'value'])).to.deep.equal({value: {user: 'u', password: 'p'}});
    expect(maskSecrets({value: ['a', 'b']}, ['value'])).to.deep.equal({value: OBFUSCATED});
    expect(maskSecrets({value: 42}, ['value'])).to.deep.equal({value: OBFUSCATED});
    expect(maskSecrets({value: null}, ['value'])).to.deep.equal({value: null});
    expect(maskSecrets({other: 1}, ['value'])).to.deep.equal({other: 1});
  });

  it('follows dotted paths into nested objects', () => {
    const data = {bucket_name: 'b', credentials: {minio_root_user: 'u', minio_root_password: 'p'}};
    const fields = ['credentials.minio_root_password', 'credentials.aws_secret_access_key'];
    expect(maskSecrets(data, fields)).to.deep.equal({bucket_name: 'b', credentials: {minio_root_user: 'u', minio_root_password: OBFUSCATED}});
  });

  it('masks everything at or below a wildcard, nulls included', () => {
    const data = {
      project: 'demo',
      service_account_info: {type: 'service_account', private_key: 'k', nested: {deep: 'd'}, none: null},
    };
    expect(maskSecrets(data, ['service_account_info.*'])).to.deep.equal({
      project: 'demo',
      service_account_info: {type: OBFUSCATED, private_key: OBFUSCATED, nested: {deep: OBFUSCATED}, none: OBFUSCATED},
    });
    // A wildcard's parent that is a scalar or an empty object is masked itself.
    expect(maskSecrets({service_account_info: '{"k": 1}'}, ['service_account_info.*'])).to.deep.equal({service_account_info: OBFUSCATED});
    expect(maskSecrets({url: 'u', headers: {}}, ['url', 'headers.*'])).to.deep.equal({url: OBFUSCATED, headers: OBFUSCATED});
  });

  it('matches wildcards deep in a path, as dbt profiles declare them', () => {
    const data = {target_configs: {credentials: {service_account_info: {a: 1}, project: 'p'}, schema: 's'}};
    expect(maskSecrets(data, ['target_configs.credentials.service_account_info.*', 'target_configs.credentials.password'])).to.deep.equal({
      target_configs: {credentials: {service_account_info: {a: OBFUSCATED}, project: 'p'}, schema: 's'},
    });
  });

  it('does not descend into arrays', () => {
    const data = {items: [{password: 'p'}]};
    expect(maskSecrets(data, ['items.password'])).to.deep.equal(data);
  });

  it('reads secret_fields from a schema tolerantly', () => {
    expect(secretFieldsOf({secret_fields: ['a', 'b.c']})).to.deep.equal(['a', 'b.c']);
    expect(secretFieldsOf({})).to.deep.equal([]);
    expect(secretFieldsOf(null)).to.deep.equal([]);
  });
});
