import {createHash} from 'node:crypto';
import {copyFileSync, readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

/** The key of the imagined Prefect server that wrote the documents below. */
const SERVER_KEY = 'Fh6ZqVUI6oV2TEk2V7CvWZ9k9sXb1PBXgSpnY1S0S2g=';
const OTHER_KEY = 'q_bkt2XHC9ZzSiZxTy2mDdbMM3ZcR4Wt3Y4-QZzzv1c=';
const MASK = '********';

/**
 * Block document data as Prefect stores it: Python's cryptography 48 made each token with
 * Fernet(SERVER_KEY).encrypt(json.dumps(data).encode()) — no Python is needed to run this.
 */
const ENCRYPTED = {
  secret: {
    data: {value: 'hunter2'},
    token: 'gAAAAABrCw_n8nSCHK-xQsDsR51E7C-AuknuvLq8Md9JqmRB9NvxZ8pflLSifRAhv6maEy4U3AHQmNeaLEDsmPFltYzFl1prjckUy-izICoagxA1W7l-4tw=',
  },
  webhook: {
    data: {method: 'POST', url: 'https://hooks.example.com/T0/B0', headers: {Authorization: 'Bearer abc', 'X-Trace': null}},
    token:
      'gAAAAABrCw_nMUiGZvrGu3-w5bTZaDl4BO9YUb1FbAsX9M1w0tPjpPvXwFwcxmsU5NGIMiylFYOxO5YU36hTeEGtjD8dODodMO99uVgr6l5r-jcb9CgkpXkW7n6qUYQ1KYrvQ6kyICjy-7iwRoVhOODAy10lVSDfRcSu99FzTtXBfpR23QB4tt_345nLk2G5mDl_tMmLvQIUUdL8Q7JLD8IJldb6uCV1y3WKq1Kn6nhUlhjHGqoq3CY=',
  },
  awsCredentials: {
    data: {aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'wJalrXUtnFEMI', region_name: 'eu-west-1'},
    token:
      'gAAAAABrCw_n0LzaljqV8EqTk4tkg4FNRb8h5alp78STBd5WUFwVb3XrT8npH79peuPZN4oNn4wnwBCcxxUFZxlZsvj9URMX0tv6fsNl3H0za1X-6GYv815TCprpCy_8Lz0MsJuzpDHHdbVNEnrWpahwzm35D_P7ffw81ahyiRyXnLQwJYNPShNAuMjNPPMT6YMLdsvzXuc2zRj0Ss09VtG1geKPuuYTLA==',
  },
  gcpCredentials: {
    data: {project: 'demo', service_account_info: {type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----'}},
    token:
      'gAAAAABrCw_n_FIR-X6W609ldm6Gl9d_ybBrxZUD4YAemZ0_R1lh6M8ZlgL5Xazfwc5i33UDrGxQL6_nMwMpXkegBN3epkwo3fTnQ1hzw5LLH9PK3mUENHyQoNCq1t6oqPWQiJ0dAtlR6P8uSq5h6IA0zERugJdTDzVssg1V4sZKzzDENtW6CfKe_D65w0UO_uNx30wjXt3iTHSHXaerEtX-jhkEehl5mv7AncL7IJPom_iO-uSQFr0=',
  },
  parent: {
    data: {bucket_name: 'results'},
    token: 'gAAAAABrCw_netminYVQso2ID9kbKHoPaQ8nUjWLTp_9zLcP3zuwgmb5y_f7Z4d2Rkg2kuEVaPnijVhPdJPflvOv5XiwHmv6ek7TooV833P-3kp6lU_wLOA==',
  },
} as const;

const IDS = {
  secret: 'a1b2c3d4-0000-4000-8000-000000000001',
  webhook: 'b1b2c3d4-0000-4000-8000-000000000002',
  awsCredentials: 'c1b2c3d4-0000-4000-8000-000000000003',
  gcpCredentials: 'd1b2c3d4-0000-4000-8000-000000000004',
  parent: 'e1b2c3d4-0000-4000-8000-000000000005',
  reference: 'f1b2c3d4-0000-4000-8000-000000000006',
};
const CHILD_NAME = `anonymous-${IDS.awsCredentials}`;

interface Seeded {
  /** The schema field under which the parent holds its aws-credentials block. */
  referenceField: string;
  parentSlug: string;
}

interface TypeJson {
  id: string;
  slug: string;
  name: string;
  is_protected: boolean;
  block_schema_count: number;
  block_document_count: number;
}

interface SchemaJson {
  id: string;
  checksum: string;
  version: string;
  capabilities: string[];
  fields: Record<string, unknown>;
  block_type: {slug: string};
}

interface DocumentJson {
  id: string;
  created: string;
  name: string;
  data: Record<string, unknown>;
  is_anonymous: boolean;
  block_type_name: string;
  block_type: {slug: string};
  block_schema: {id: string; checksum: string};
  block_document_references: Record<string, {block_document: {id: string; name: string; is_anonymous: boolean}}>;
}

/** Inserts block documents into a copy of a fixture exactly as Prefect's server writes them on SQLite. */
function seedBlockDocuments(path: string, withKeyRow: boolean): Seeded {
  const sqlite = new Database(path);
  try {
    const latestSchema = (slug: string) =>
      sqlite
        .prepare(
          `select s.id as schema_id, t.id as type_id, t.name as type_name from block_schema s join block_type t on t.id = s.block_type_id
            where t.slug = ? order by s.created desc, s.id limit 1`,
        )
        .get(slug) as {schema_id: string; type_id: string; type_name: string};
    const reference = sqlite
      .prepare(
        `select r.name, p.id as schema_id, pt.id as type_id, pt.name as type_name, pt.slug
           from block_schema_reference r
           join block_schema c on c.id = r.reference_block_schema_id join block_type ct on ct.id = c.block_type_id
           join block_schema p on p.id = r.parent_block_schema_id join block_type pt on pt.id = p.block_type_id
          where ct.slug = 'aws-credentials' order by r.name, pt.slug limit 1`,
      )
      .get() as {name: string; schema_id: string; type_id: string; type_name: string; slug: string};
    const hasTypeName = (sqlite.prepare(`select count(*) from pragma_table_info('block_document') where name = 'block_type_name'`).pluck().get() as number) > 0;
    const now = '2026-01-02 03:04:05.123456';
    const insert = (id: string, name: string, token: string, schema: {schema_id: string; type_id: string; type_name: string}, anonymous: boolean) => {
      const row: Record<string, unknown> = {
        id, created: now, updated: now, name, data: JSON.stringify(token),
        block_schema_id: schema.schema_id, block_type_id: schema.type_id, is_anonymous: anonymous ? 1 : 0,
      };
      if (hasTypeName) row.block_type_name = schema.type_name;
      const columns = Object.keys(row);
      sqlite.prepare(`insert into block_document (${columns.join(', ')}) values (${columns.map((c) => '@' + c).join(', ')})`).run(row);
    };
    insert(IDS.secret, 'db-password', ENCRYPTED.secret.token, latestSchema('secret'), false);
    insert(IDS.webhook, 'alerts', ENCRYPTED.webhook.token, latestSchema('webhook'), false);
    insert(IDS.awsCredentials, CHILD_NAME, ENCRYPTED.awsCredentials.token, latestSchema('aws-credentials'), true);
    insert(IDS.gcpCredentials, 'analytics', ENCRYPTED.gcpCredentials.token, latestSchema('gcp-credentials'), false);
    insert(IDS.parent, 'uses-aws', ENCRYPTED.parent.token, reference, false);
    sqlite
      .prepare(
        `insert into block_document_reference (id, created, updated, name, parent_block_document_id, reference_block_document_id)
         values (?, ?, ?, ?, ?, ?)`,
      )
      .run(IDS.reference, now, now, reference.name, IDS.parent, IDS.awsCredentials);
    if (withKeyRow) {
      sqlite
        .prepare(`insert into configuration (id, created, updated, key, value) values (?, ?, ?, 'ENCRYPTION_KEY', ?)`)
        .run('0a1b2c3d-0000-4000-8000-000000000007', now, now, JSON.stringify({fernet_key: SERVER_KEY}).replace(':', ': '));
    }
    return {referenceField: reference.name, parentSlug: reference.slug};
  } finally {
    sqlite.close();
  }
}

const isoFromSqlite = (text: string) => text.replace(' ', 'T') + 'Z';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

for (const fixture of PREFECT_FIXTURES) {
  describe(`block commands on ${fixture}`, () => {
    let plainPath: string;
    let seededPath: string;
    let keylessPath: string;
    let seeded: Seeded;
    let types: Array<{id: string; slug: string; name: string; is_protected: number; schemas: number}>;
    let schemas: Array<{id: string; checksum: string; version: string; capabilities: string; fields: string; slug: string; created: string}>;
    let schemaReferences: Map<string, Record<string, unknown>>;

    before(() => {
      plainPath = copyFixture(fixture);
      const sqlite = new Database(plainPath, {readonly: true});
      types = sqlite
        .prepare(
          `select id, slug, name, is_protected, (select count(*) from block_schema s where s.block_type_id = t.id) as schemas
             from block_type t order by slug`,
        )
        .all() as typeof types;
      schemas = sqlite
        .prepare(
          `select s.id, s.checksum, s.version, s.capabilities, s.fields, t.slug, s.created
             from block_schema s join block_type t on t.id = s.block_type_id order by t.slug, s.version, s.id`,
        )
        .all() as typeof schemas;
      schemaReferences = new Map();
      for (const row of sqlite
        .prepare(
          `select r.parent_block_schema_id as parent, r.name, s.checksum, t.slug from block_schema_reference r
             join block_schema s on s.id = r.reference_block_schema_id join block_type t on t.id = s.block_type_id
            order by r.created, r.id`,
        )
        .all() as Array<{parent: string; name: string; checksum: string; slug: string}>) {
        const fields = schemaReferences.get(row.parent) ?? {};
        const reference = {block_type_slug: row.slug, block_schema_checksum: row.checksum};
        const existing = fields[row.name];
        fields[row.name] = existing === undefined ? reference : [...(Array.isArray(existing) ? existing : [existing]), reference];
        schemaReferences.set(row.parent, fields);
      }
      sqlite.close();
      seededPath = plainPath.replace(/\.db$/, '-seeded.db');
      copyFileSync(plainPath, seededPath);
      seeded = seedBlockDocuments(seededPath, true);
      keylessPath = plainPath.replace(/\.db$/, '-keyless.db');
      copyFileSync(plainPath, keylessPath);
      seedBlockDocuments(keylessPath, false);
    });

    after(removeTempDirs);

    for (const dialect of testDialects()) {
      describe(dialect, () => {
        let plain: string;
        let documents: string;
        let keyless: string;
        const drops: Array<() => Promise<void>> = [];

        before(async function () {
          if (dialect === 'postgres') {
            await requirePostgres(this);
            [plain, documents, keyless] = await Promise.all(
              [plainPath, seededPath, keylessPath].map(async (path) => {
                const loaded = await loadFixtureIntoPostgres(path);
                drops.push(loaded.drop);
                return loaded.url;
              }),
            );
          } else {
            [plain, documents, keyless] = [plainPath, seededPath, keylessPath];
          }
        });

        after(async () => {
          await Promise.all(drops.splice(0).map((drop) => drop()));
        });

        /** Runs on this dialect; on PostgreSQL also checks the output deep-equals SQLite's for the same data. */
        async function json<T>(args: string[], db: string, env: Record<string, string | undefined> = {}): Promise<T> {
          const result = parseJson<T>(ok(await runCli([...args, '--db', db, '--json'], env)));
          if (dialect === 'postgres') {
            const sqlitePath = db === plain ? plainPath : db === documents ? seededPath : keylessPath;
            expect(result).to.deep.equal(parseJson<T>(ok(await runCli([...args, '--db', sqlitePath, '--json'], env))));
          }
          return result;
        }

        it('block type ls lists every type with its schema and document counts, as plain SQL sees them', async () => {
          const listed = await json<TypeJson[]>(['block', 'type', 'ls', '--all'], plain);
          expect(listed.map((t) => [t.id, t.slug, t.name, t.is_protected, t.block_schema_count, t.block_document_count])).to.deep.equal(
            types.map((t) => [t.id, t.slug, t.name, t.is_protected === 1, t.schemas, 0]),
          );
          expect(Object.keys(listed[0])).to.deep.equal([
            'id', 'created', 'updated', 'name', 'slug', 'logo_url', 'documentation_url', 'description', 'code_example', 'is_protected',
            'block_schema_count', 'block_document_count',
          ]);
          const withDocuments = await json<TypeJson[]>(['block', 'type', 'ls', '--all'], documents);
          expect(withDocuments.find((t) => t.slug === 'secret')?.block_document_count).to.equal(1);
        });

        it('block type ls cuts at --limit and says so on stderr; -q prints ids', async () => {
          const result = ok(await runCli(['block', 'type', 'ls', '--db', plain, '--limit', '3', '-q']));
          expect(result.stdout).to.equal(types.slice(0, 3).map((t) => `${t.id}\n`).join(''));
          const table = ok(await runCli(['block', 'type', 'ls', '--db', plain, '--limit', '3']));
          expect(table.stderr).to.equal(`3 of ${types.length} block types; --limit N or --all for more\n`);
          expect(table.stdout).to.match(/^SLUG +NAME +PROTECTED +SCHEMAS +DOCUMENTS +DESCRIPTION\n/);
        });

        it('block schema ls gives every schema with its stored fields plus rebuilt block_schema_references', async () => {
          const listed = await json<SchemaJson[]>(['block', 'schema', 'ls', '--all'], plain);
          expect(listed.map((s) => [s.id, s.block_type.slug, s.version, s.checksum, s.capabilities])).to.deep.equal(
            schemas.map((s) => [s.id, s.slug, s.version, s.checksum, JSON.parse(s.capabilities)]),
          );
          for (const [i, schema] of listed.entries()) {
            const {block_schema_references: references, ...fields} = schema.fields;
            expect(fields).to.deep.equal(JSON.parse(schemas[i].fields));
            expect(references).to.deep.equal(schemaReferences.get(schema.id) ?? {});
          }
          expect(Object.keys(listed[0])).to.deep.equal([
            'id', 'created', 'updated', 'checksum', 'fields', 'block_type_id', 'block_type', 'capabilities', 'version',
          ]);
        });

        it('block schema ls --type filters by slug; an unknown slug is exit 3', async () => {
          const listed = await json<SchemaJson[]>(['block', 'schema', 'ls', '--type', 'aws-credentials'], plain);
          expect(listed.map((s) => s.id)).to.deep.equal(schemas.filter((s) => s.slug === 'aws-credentials').map((s) => s.id));
          const missing = await runCli(['block', 'schema', 'ls', '--type', 'no-such-type', '--db', plain]);
          expect(missing.exitCode).to.equal(3);
          expect(missing.stderr).to.equal('Error: no block type with slug "no-such-type" (see `prefectdb block type ls`)\n');
        });

        it('block ls on the untouched database lists nothing and says so on stderr', async () => {
          const result = ok(await runCli(['block', 'ls', '--db', plain]));
          expect(result.stdout).to.equal('');
          expect(result.stderr).to.equal('no block documents found\n');
        });

        it('block ls decrypts with the configuration row key and masks secrets; anonymous documents hidden', async () => {
          const listed = await json<DocumentJson[]>(['block', 'ls'], documents);
          const expectedOrder = [
            ['gcp-credentials', 'analytics'],
            [seeded.parentSlug, 'uses-aws'],
            ['secret', 'db-password'],
            ['webhook', 'alerts'],
          ].sort((a, b) => (a.join('/') < b.join('/') ? -1 : 1));
          expect(listed.map((d) => [d.block_type.slug, d.name])).to.deep.equal(expectedOrder);
          const byName = new Map(listed.map((d) => [d.name, d]));
          expect(byName.get('db-password')?.data).to.deep.equal({value: MASK});
          expect(byName.get('alerts')?.data).to.deep.equal({method: 'POST', url: MASK, headers: {Authorization: MASK, 'X-Trace': MASK}});
          expect(byName.get('analytics')?.data).to.deep.equal({project: 'demo', service_account_info: {type: MASK, private_key: MASK}});
          expect(Object.keys(listed[0])).to.deep.equal([
            'id', 'created', 'updated', 'name', 'data', 'block_schema_id', 'block_schema', 'block_type_id', 'block_type_name',
            'block_type', 'block_document_references', 'is_anonymous',
          ]);
          expect(listed[0].created).to.equal(isoFromSqlite('2026-01-02 03:04:05.123456'));
        });

        it('block ls --anonymous includes the nested anonymous document; --type filters; --show-secrets reveals', async () => {
          const all = await json<DocumentJson[]>(['block', 'ls', '--anonymous', '--sort', 'name'], documents);
          expect(all.map((d) => d.name)).to.deep.equal(['alerts', 'analytics', CHILD_NAME, 'db-password', 'uses-aws']);
          const secrets = await json<DocumentJson[]>(['block', 'ls', '--type', 'secret', '--show-secrets'], documents);
          expect(secrets.map((d) => d.data)).to.deep.equal([ENCRYPTED.secret.data]);
          const cut = ok(await runCli(['block', 'ls', '--db', documents, '--limit', '2', '-q']));
          expect(cut.stdout.trim().split('\n')).to.have.length(2);
          expect(cut.stderr).to.equal('2 of 4 block documents; --limit N or --all for more\n');
        });

        it('block inspect TYPE/NAME shows type, schema and masked data; --show-secrets shows it in clear', async () => {
          const masked = await json<DocumentJson>(['block', 'inspect', 'webhook/alerts'], documents);
          expect(masked.id).to.equal(IDS.webhook);
          expect(masked.block_type.slug).to.equal('webhook');
          expect(masked.block_type_name).to.equal('Webhook');
          expect(masked.block_schema.id).to.equal(schemas.filter((s) => s.slug === 'webhook').sort((a, b) => b.created.localeCompare(a.created))[0].id);
          expect(masked.data.url).to.equal(MASK);
          const clear = await json<DocumentJson>(['block', 'inspect', 'webhook/alerts', '--show-secrets'], documents);
          expect(clear.data).to.deep.equal(ENCRYPTED.webhook.data);
        });

        it('block inspect fills in referenced documents, each masked by its own schema', async () => {
          const parent = await json<DocumentJson>(['block', 'inspect', `${seeded.parentSlug}/uses-aws`], documents);
          expect(parent.data).to.deep.equal({
            bucket_name: 'results',
            [seeded.referenceField]: {...ENCRYPTED.awsCredentials.data, aws_secret_access_key: MASK},
          });
          const reference = parent.block_document_references[seeded.referenceField].block_document;
          expect(reference).to.deep.include({id: IDS.awsCredentials, name: CHILD_NAME, is_anonymous: true, block_document_references: {}});
          const clear = await json<DocumentJson>(['block', 'inspect', IDS.parent, '--show-secrets'], documents);
          expect(clear.data[seeded.referenceField]).to.deep.equal(ENCRYPTED.awsCredentials.data);
          const table = ok(await runCli(['block', 'inspect', 'e1b2', '--db', documents]));
          expect(table.stdout).to.include('Referenced blocks').and.include(`aws-credentials/${CHILD_NAME}`);
          expect(table.stdout).not.to.include('wJalrXUtnFEMI');
        });

        it('block inspect by id prefix with -q prints the id; unknown is exit 3, malformed exit 2', async () => {
          expect(ok(await runCli(['block', 'inspect', 'a1b2c3', '--db', documents, '-q'])).stdout).to.equal(`${IDS.secret}\n`);
          const missing = await runCli(['block', 'inspect', 'secret/nope', '--db', documents]);
          expect([missing.exitCode, missing.stderr]).to.deep.equal([3, 'Error: no block document "nope" of block type "secret"\n']);
          expect((await runCli(['block', 'inspect', '0000', '--db', documents])).exitCode).to.equal(3);
          const malformed = await runCli(['block', 'inspect', 'secret:db-password', '--db', documents]);
          expect(malformed.exitCode).to.equal(2);
          expect(malformed.stderr).to.match(/neither TYPE-SLUG\/NAME .* nor a block document id/);
        });

        it('the environment key wins over the configuration row: a wrong one is refused with exit 4', async () => {
          const env = {PREFECT_SERVER_ENCRYPTION_KEY: OTHER_KEY};
          const refused = await runCli(['block', 'inspect', 'secret/db-password', '--db', documents], env);
          expect(refused.exitCode).to.equal(4);
          expect(refused.stderr).to.equal(
            'Error: cannot decrypt block document "db-password" with the key from PREFECT_SERVER_ENCRYPTION_KEY; set PREFECT_SERVER_ENCRYPTION_KEY to the key of the Prefect server that wrote it\n',
          );
          const asJson = await runCli(['block', 'ls', '--db', documents, '--json'], env);
          expect(asJson.exitCode).to.equal(4);
          expect(parseJson<{error: {code: string}}>(asJson).error.code).to.equal('REFUSED');
        });

        it('without a configuration row the key comes from PREFECT_SERVER_ENCRYPTION_KEY or ORION_ENCRYPTION_KEY', async () => {
          for (const variable of ['PREFECT_SERVER_ENCRYPTION_KEY', 'ORION_ENCRYPTION_KEY']) {
            const shown = await json<DocumentJson>(['block', 'inspect', 'secret/db-password', '--show-secrets'], keyless, {
              PREFECT_SERVER_ENCRYPTION_KEY: undefined,
              ORION_ENCRYPTION_KEY: undefined,
              [variable]: SERVER_KEY,
            });
            expect(shown.data).to.deep.equal(ENCRYPTED.secret.data);
          }
          const refused = await runCli(['block', 'ls', '--db', keyless], {PREFECT_SERVER_ENCRYPTION_KEY: undefined, ORION_ENCRYPTION_KEY: undefined});
          expect(refused.exitCode).to.equal(4);
          expect(refused.stderr).to.match(/no ENCRYPTION_KEY configuration row; set PREFECT_SERVER_ENCRYPTION_KEY/);
          const malformed = await runCli(['block', 'ls', '--db', keyless], {PREFECT_SERVER_ENCRYPTION_KEY: 'not-a-key'});
          expect(malformed.exitCode).to.equal(2);
        });

        if (dialect === 'sqlite') {
          it('reads leave the SQLite file byte-identical', async () => {
            const before = sha256(seededPath);
            ok(await runCli(['block', 'ls', '--db', seededPath, '--anonymous', '--show-secrets']));
            ok(await runCli(['block', 'inspect', 'webhook/alerts', '--db', seededPath]));
            ok(await runCli(['block', 'schema', 'ls', '--db', seededPath]));
            ok(await runCli(['block', 'type', 'ls', '--db', seededPath]));
            expect(sha256(seededPath)).to.equal(before);
          });
        }
      });
    }
  });
}
