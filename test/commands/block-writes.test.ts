import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {decryptWithOpenssl, decryptWithPython, pythonFernetAvailable} from '../support/independent-fernet.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {rowSnapshot} from '../support/row-snapshot.js';

const ENV_KEY = 'q_bkt2XHC9ZzSiZxTy2mDdbMM3ZcR4Wt3Y4-QZzzv1c=';
const MASK = '********';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SQLITE_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const NO_KEY_ENV = {PREFECT_SERVER_ENCRYPTION_KEY: undefined, ORION_ENCRYPTION_KEY: undefined};

interface DocumentJson {
  id: string;
  created: string;
  updated: string;
  name: string;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_type_id: string;
  block_type_name: string;
  block_type: {slug: string};
  is_anonymous: boolean;
  block_document_references: Record<string, {block_document: {id: string; name: string}}>;
}

interface NestingField {
  parentSlug: string;
  field: string;
  /** Required fields of the parent besides the nested block, filled with strings. */
  required: string[];
}

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`block create/update/delete on ${fixture} (${dialect})`, () => {
      let url: string;
      let drop: () => Promise<void>;
      let db: Database;
      let nesting: NestingField;

      before(async function () {
        const loaded = await fixtureDatabase(this, dialect, fixture);
        [url, drop] = [loaded.url, loaded.drop];
        db = await openDatabase(resolveDatabaseTarget(url), {write: true});
        const candidates: Array<{slug: string; name: string; required: string | string[] | null}> = await db
          .knex('block_schema_reference as r')
          .join('block_schema as c', 'c.id', 'r.reference_block_schema_id')
          .join('block_type as ct', 'ct.id', 'c.block_type_id')
          .join('block_schema as p', 'p.id', 'r.parent_block_schema_id')
          .join('block_type as pt', 'pt.id', 'p.block_type_id')
          .where('ct.slug', 'aws-credentials')
          .select('pt.slug', 'r.name', 'p.fields as required')
          .orderBy('pt.slug');
        const parsed = candidates.map((c) => {
          const fields = (typeof c.required === 'string' ? JSON.parse(c.required) : c.required) as {required?: string[]};
          return {parentSlug: c.slug, field: c.name, required: (fields.required ?? []).filter((f) => f !== c.name)};
        });
        nesting = parsed.sort((a, b) => a.required.length - b.required.length || a.parentSlug.localeCompare(b.parentSlug))[0];
      });

      after(async () => {
        await db?.knex.destroy();
        await drop?.();
        removeTempDirs();
      });

      const cli = (args: string[], env: Record<string, string | undefined> = NO_KEY_ENV) => runCli([...args, '--db', url, '--json'], env);
      const created = async (args: string[], env?: Record<string, string | undefined>) => parseJson<DocumentJson>(ok(await cli(args, env)));

      async function documentRow(id: string): Promise<Record<string, unknown>> {
        return db.knex('block_document').where('id', id).first();
      }

      /** The Fernet token as stored: a JSON string in the JSON column (raw text on SQLite). */
      function tokenOf(row: Record<string, unknown>): string {
        if (dialect === 'sqlite') {
          expect(row.data as string).to.match(/^"gAAAAA[A-Za-z0-9_=-]+"$/);
          return JSON.parse(row.data as string) as string;
        }
        return row.data as string;
      }

      async function storedKey(): Promise<string | undefined> {
        const row = await db.knex('configuration').where('key', 'ENCRYPTION_KEY').first('value');
        if (!row) return undefined;
        return (typeof row.value === 'string' ? JSON.parse(row.value) : row.value).fernet_key;
      }

      /** Decrypts with openssl, and with Python's cryptography (Prefect's own library) when present; both must agree. */
      function independentlyDecrypted(key: string, token: string): string {
        const plaintext = decryptWithOpenssl(key, token);
        if (pythonFernetAvailable()) expect(decryptWithPython(key, token)).to.equal(plaintext);
        return plaintext;
      }

      async function latestSchemaId(slug: string): Promise<string> {
        const row = await db
          .knex('block_schema as s')
          .join('block_type as t', 't.id', 's.block_type_id')
          .where('t.slug', slug)
          .orderBy('s.created', 'desc')
          .first('s.id');
        return String(row.id);
      }

      async function unchanged(work: () => Promise<void>, except: string[] = []): Promise<void> {
        const before = await rowSnapshot(db.knex, dialect, except);
        await work();
        expect(await rowSnapshot(db.knex, dialect, except)).to.deep.equal(before);
      }

      it('create on a database without a key makes the key as Prefect\'s server does and stores the document as it does', async () => {
        expect(await storedKey()).to.equal(undefined);
        let block!: DocumentJson;
        await unchanged(async () => {
          block = await created(['block', 'create', 'secret/db-password', '--data', '{"value": "p\u00e4ssw\u00f6rd", "extra": [1, 2.5]}']);
        }, ['block_document', 'configuration']);
        expect(block.data).to.deep.equal({value: MASK, extra: [1, 2.5]});
        expect(block).to.include({name: 'db-password', is_anonymous: false});
        expect(block.block_type.slug).to.equal('secret');
        expect(block.id).to.match(UUID4);
        expect(block.created).to.equal(block.updated);
        expect(Date.now() - Date.parse(block.created)).to.be.within(0, 60_000);
        // Printed as `block inspect` prints it.
        expect(block).to.deep.equal(parseJson(ok(await cli(['block', 'inspect', block.id]))));

        const key = await storedKey();
        expect(key).to.match(/^[A-Za-z0-9_-]{43}=$/);
        const keyRows = await db.knex('configuration').where('key', 'ENCRYPTION_KEY').select('*');
        expect(keyRows).to.have.length(1);
        expect(String(keyRows[0].id)).to.match(UUID4);
        const row = await documentRow(block.id);
        expect(String(row.block_schema_id)).to.equal(await latestSchemaId('secret'));
        expect(String(row.block_type_id)).to.equal(block.block_type_id);
        expect(db.codec.decodeBoolean(row.is_anonymous)).to.equal(false);
        if ('block_type_name' in row) expect(row.block_type_name).to.equal('Secret');
        if (dialect === 'sqlite') {
          expect(row.created).to.match(SQLITE_TIMESTAMP);
          expect(row.updated).to.equal(row.created);
          expect(keyRows[0].value).to.equal(`{"fernet_key": "${key}"}`);
          expect(keyRows[0].created).to.match(SQLITE_TIMESTAMP);
        }
        // Python's json.dumps: ", " and ": ", non-ASCII escaped; the token opens with another implementation.
        expect(independentlyDecrypted(key as string, tokenOf(row))).to.equal('{"value": "p\\u00e4ssw\\u00f6rd", "extra": [1, 2.5]}');
      });

      it('create with PREFECT_SERVER_ENCRYPTION_KEY set encrypts with that key and stores none', async () => {
        const key = await storedKey();
        let block!: DocumentJson;
        await unchanged(async () => {
          block = await created(['block', 'create', 'secret/env-keyed', '--data', '{"value": "k"}'], {PREFECT_SERVER_ENCRYPTION_KEY: ENV_KEY});
        }, ['block_document']);
        expect(await storedKey()).to.equal(key);
        expect(independentlyDecrypted(ENV_KEY, tokenOf(await documentRow(block.id)))).to.equal('{"value": "k"}');
        expect((await cli(['block', 'inspect', block.id])).exitCode).to.equal(4);
        await db.knex('block_document').where('id', block.id).delete();
      });

      it('create stores a nested block as a block_document_reference and validates the resolved data', async () => {
        const child = await created(['block', 'create', 'aws-credentials/creds', '--data', '{"aws_access_key_id": "AKIA1", "aws_secret_access_key": "wJal"}']);
        expect(child.data).to.deep.equal({aws_access_key_id: 'AKIA1', aws_secret_access_key: MASK});
        const data: Record<string, unknown> = {[nesting.field]: {$ref: {block_document_id: child.id}}};
        for (const field of nesting.required) data[field] = 'x';
        const parent = await created(['block', 'create', `${nesting.parentSlug}/uses-creds`, '--data', JSON.stringify(data)]);
        expect(parent.block_document_references[nesting.field].block_document).to.include({id: child.id, name: 'creds'});
        expect(parent.data[nesting.field]).to.deep.equal({aws_access_key_id: 'AKIA1', aws_secret_access_key: MASK});
        const references = await db.knex('block_document_reference').where('parent_block_document_id', parent.id).select('*');
        expect(references.map((r) => [r.name, String(r.reference_block_document_id)])).to.deep.equal([[nesting.field, child.id]]);
        expect(String(references[0].id)).to.match(UUID4);
        const own = Object.fromEntries(nesting.required.map((field) => [field, 'x']));
        const key = (await storedKey()) as string;
        expect(JSON.parse(independentlyDecrypted(key, tokenOf(await documentRow(parent.id))))).to.deep.equal(own);
      });

      it('update merges fields, keeps a secret sent back masked, bumps updated and keeps created', async () => {
        const before = await documentRow((await created(['block', 'create', 'secret/rotating', '--data', '{"value": "one"}'])).id);
        const id = String(before.id);
        const key = (await storedKey()) as string;
        let updated!: DocumentJson;
        await unchanged(async () => {
          updated = await created(['block', 'update', 'secret/rotating', '--data', '{"note": "rotated"}']);
        }, ['block_document']);
        expect(updated.data).to.deep.equal({value: MASK, note: 'rotated'});
        let row = await documentRow(id);
        expect(independentlyDecrypted(key, tokenOf(row))).to.equal('{"value": "one", "note": "rotated"}');
        expect(row.created).to.deep.equal(before.created);
        expect(db.codec.decodeTimestamp(row.updated)! > db.codec.decodeTimestamp(before.updated)!).to.equal(true);

        await created(['block', 'update', id, '--data', `{"value": "${MASK}", "note": "again"}`]);
        row = await documentRow(id);
        expect(independentlyDecrypted(key, tokenOf(row))).to.equal('{"value": "one", "note": "again"}');
        await created(['block', 'update', id, '--data', '{"value": "two"}']);
        expect(independentlyDecrypted(key, tokenOf(await documentRow(id)))).to.equal('{"value": "two", "note": "again"}');
      });

      it('update keeps nested blocks it does not name, and replaces one given inline', async () => {
        const parentAddress = `${nesting.parentSlug}/uses-creds`;
        const parentId = (await created(['block', 'inspect', parentAddress])).id;
        const referenceRows = () => db.knex('block_document_reference').where('parent_block_document_id', parentId).select('id', 'name');
        const kept = await referenceRows();
        await created(['block', 'update', parentAddress, '--data', '{"extra_field": 1}']);
        expect(await referenceRows()).to.deep.equal(kept);
        const inline = await created(['block', 'update', parentAddress, '--data', JSON.stringify({[nesting.field]: {aws_access_key_id: 'AKIA2'}})]);
        expect(await referenceRows()).to.deep.equal([]);
        expect(inline.block_document_references).to.deep.equal({});
        expect(inline.data[nesting.field]).to.deep.equal({aws_access_key_id: 'AKIA2'});
      });

      it('--dry-run prints the result and writes nothing', async () => {
        await unchanged(async () => {
          const preview = await created(['block', 'create', 'secret/preview', '--data', '{"value": "v"}', '--dry-run']);
          expect(preview).to.include({name: 'preview'});
          const changed = await created(['block', 'update', 'secret/rotating', '--data', '{"note": "dry"}', '--dry-run']);
          expect(changed.data.note).to.equal('dry');
          ok(await cli(['block', 'delete', 'secret/rotating', '--dry-run']));
        });
        expect((await cli(['block', 'inspect', 'secret/preview'])).exitCode).to.equal(3);
      });

      const badInputs: Array<[string, string[], number, RegExp]> = [
        ['an unknown block type', ['block', 'create', 'no-such-type/x', '--data', '{}'], 3, /no block type with slug "no-such-type"/],
        ['malformed JSON', ['block', 'create', 'secret/x', '--data', '{"value": '], 2, /not valid JSON/],
        ['JSON that is not an object', ['block', 'create', 'secret/x', '--data', '[1]'], 2, /must be a JSON object/],
        ['data failing the schema', ['block', 'create', 'secret/x', '--data', '{"other": 1}'], 2, /does not match the secret block schema.*required property 'value'/],
        ['a duplicate name', ['block', 'create', 'secret/db-password', '--data', '{"value": "v"}'], 4, /already exists/],
        ['a name Prefect refuses', ['block', 'create', 'secret/Bad_Name', '--data', '{"value": "v"}'], 2, /lowercase letters, numbers and dashes/],
        ['a reference to no block', ['block', 'create', 'secret/x', '--data', '{"value": {"$ref": {"block_document_id": "00000000-0000-4000-8000-000000000000"}}}'], 3, /does not exist/],
        ['an update of no block', ['block', 'update', 'secret/missing', '--data', '{"value": "v"}'], 3, /no block document "missing"/],
        ['an update failing the schema', ['block', 'update', 'aws-credentials/creds', '--data', '{"aws_access_key_id": 5}'], 2, /field aws_access_key_id must be string/],
        ['a delete without --yes off a terminal', ['block', 'delete', 'secret/rotating'], 4, /--yes/],
      ];
      for (const [what, args, code, message] of badInputs) {
        it(`refuses ${what} with exit ${code} and leaves the database as it was`, async () => {
          await unchanged(async () => {
            const result = await cli(args);
            expect(result.exitCode, result.stdout).to.equal(code);
            expect(parseJson<{error: {message: string}}>(result).error.message).to.match(message);
          });
        });
      }

      it('delete names the deployments and runs the cascade removes, and goes ahead only with --yes', async () => {
        const block = await created(['block', 'create', 'secret/doomed', '--data', '{"value": "v"}']);
        const deployment = await db.knex('deployment').first('id', 'name');
        if (deployment) await db.knex('deployment').where('id', deployment.id).update({storage_document_id: block.id});
        const run = await db.knex('flow_run').first('id');
        await db.knex('flow_run').where('id', run.id).update({infrastructure_document_id: block.id});

        const refused = await runCli(['block', 'delete', 'secret/doomed', '--db', url], NO_KEY_ENV);
        expect(refused.exitCode).to.equal(4);
        if (deployment) expect(refused.stderr).to.include(`deployment`).and.include(String(deployment.id)).and.include('will be deleted');
        expect(refused.stderr).to.include('1 flow run(s) use it as infrastructure');
        expect(await documentRow(block.id)).to.not.equal(undefined);

        const deleted = await created(['block', 'delete', 'secret/doomed', '--yes']);
        expect(deleted.id).to.equal(block.id);
        expect(await documentRow(block.id)).to.equal(undefined);
        expect(await db.knex('flow_run').where('id', run.id).first('id')).to.equal(undefined);
        if (deployment) expect(await db.knex('deployment').where('id', deployment.id).first('id')).to.equal(undefined);
      });

      it('delete of a nested block removes its reference rows with it', async () => {
        const child = await created(['block', 'create', 'aws-credentials/short-lived', '--data', '{"aws_access_key_id": "AKIA3"}']);
        const parent = await created(['block', 'create', `${nesting.parentSlug}/nests-short-lived`, '--data', JSON.stringify({
          [nesting.field]: {$ref: {block_document_id: child.id}},
          ...Object.fromEntries(nesting.required.map((field) => [field, 'x'])),
        })]);
        const result = ok(await cli(['block', 'delete', child.id, '--yes']));
        expect(result.stderr).to.include(`block nests-short-lived (${parent.id}) loses its field "${nesting.field}"`);
        expect(await db.knex('block_document_reference').where('reference_block_document_id', child.id).select('id')).to.deep.equal([]);
        expect(await documentRow(parent.id)).to.not.equal(undefined);
      });
    });
  }
}
