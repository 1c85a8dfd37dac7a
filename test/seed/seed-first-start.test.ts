import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {queryDb} from '../support/query-db.js';

/**
 * Issue 13 §6: a seeded database holds what a Prefect server creates on its first start (block
 * types, schemas and their references), so blocks can be created at once, and nothing in it
 * is a problem for `db doctor`.
 */
for (const dialect of testDialects()) {
  describe(`db seed gives a first-start Prefect database that db doctor finds nothing wrong with [${dialect}]`, function () {
    this.timeout(300_000);
    let db: string;
    let drop: (() => Promise<void>) | undefined;

    before(async function () {
      if (dialect === 'postgres') {
        await requirePostgres(this);
        ({url: db, drop} = await createPostgresDatabase('seedstart'));
      } else {
        db = `${tempDir()}/seeded.db`;
      }
      const seeded = await runCli(['db', 'seed', '--db', db, '--flow-runs', '400', '--seed', '13']);
      expect(seeded.exitCode, seeded.stderr).to.equal(0);
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('registers the block types, schemas and references, the protected system blocks among them', async () => {
      const types = await queryDb(db, 'select slug, is_protected from block_type order by slug');
      expect(types.length).to.be.at.least(50);
      const protectedSlugs = types.filter((t) => t.is_protected === true || t.is_protected === 1).map((t) => t.slug);
      expect(protectedSlugs).to.have.members(['local-file-system', 'secret', 'webhook']);
      for (const slug of ['slack-webhook', 'local-file-system', 'remote-file-system', 's3-bucket', 'aws-credentials']) expect(types.map((t) => t.slug)).to.include(slug);
      const [{n: schemas}] = await queryDb(db, 'select count(*) as n from block_schema');
      expect(Number(schemas)).to.be.at.least(types.length);
      // s3-bucket's schema refers to the aws-credentials schema, as Prefect registers it.
      const references = await queryDb(
        db,
        `select r.name from block_schema_reference r
           join block_schema p on p.id = r.parent_block_schema_id join block_type pt on pt.id = p.block_type_id
           join block_schema c on c.id = r.reference_block_schema_id join block_type ct on ct.id = c.block_type_id
          where pt.slug = 's3-bucket' and ct.slug = 'aws-credentials'`,
      );
      expect(references.map((r) => r.name)).to.include('credentials');
    });

    it('db doctor exits 0 with every check ok', async () => {
      const doctor = await runCli(['db', 'doctor', '--db', db, '--json']);
      expect(doctor.exitCode, doctor.stdout).to.equal(0);
      const checks = parseJson<Array<{check: string; status: string; count: number}>>(doctor);
      expect(checks.length).to.be.greaterThan(10);
      expect(checks.filter((c) => c.status !== 'ok' || c.count > 0).map((c) => c.check)).to.deep.equal([]);
    });

    it('block create secret/… works straight away, and block inspect reads it back', async () => {
      const created = await runCli(['block', 'create', 'secret/api-token', '--data', '{"value": "s3cret"}', '--db', db, '--json']);
      expect(created.exitCode, created.stderr).to.equal(0);
      const shown = await runCli(['block', 'inspect', 'secret/api-token', '--show-secrets', '--db', db, '--json']);
      expect(shown.exitCode, shown.stderr).to.equal(0);
      expect(JSON.stringify(parseJson(shown))).to.contain('s3cret');
    });
  });
}
