import {createHash} from 'node:crypto';
import {copyFileSync, readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

interface ArtifactJson {
  id: string;
  created: string;
  updated: string;
  key: string | null;
  type: string | null;
  description: string | null;
  data: unknown;
  metadata_: unknown;
  flow_run_id: string | null;
  task_run_id: string | null;
  latest_id?: string;
}

type SqlRow = Record<string, string | null>;

const FLOW_RUN = '0b5e88ae-7e1d-448b-8183-3b5185c43962';
const TASK_RUN = '1c6f99bf-8f2e-459c-9294-4c6296d54073';

/**
 * Artifacts as Prefect's server writes them on SQLite: data and metadata_ as json.dumps
 * text (a markdown body is a JSON string; a missing metadata_ is the text `null`), and one
 * artifact_collection row per key pointing at its latest version.
 */
const SEEDED = [
  {
    id: '2a000000-0000-4000-8000-000000000001', created: '2026-01-01 10:00:00.000001', key: 'nightly-report', type: 'markdown',
    description: 'First run', data: '"# Report v1"', metadata_: 'null', flow_run_id: FLOW_RUN, task_run_id: null,
  },
  {
    id: '2a000000-0000-4000-8000-000000000002', created: '2026-01-02 10:00:00.000002', key: 'nightly-report', type: 'markdown',
    description: 'Second run\nwith details', data: '"# Report v2"', metadata_: '{"rows": 3}', flow_run_id: FLOW_RUN, task_run_id: TASK_RUN,
  },
  {
    id: '3b000000-0000-4000-8000-000000000003', created: '2026-01-01 11:00:00.000003', key: 'row-counts', type: 'table',
    description: null, data: '"[{\\"table\\": \\"users\\", \\"rows\\": 10}]"', metadata_: 'null', flow_run_id: null, task_run_id: null,
  },
  {
    id: '4c000000-0000-4000-8000-000000000004', created: '2026-01-03 09:00:00.000004', key: null, type: 'result',
    description: 'Unpersisted result of type `int`', data: '{"type": "unpersisted"}', metadata_: 'null', flow_run_id: FLOW_RUN, task_run_id: null,
  },
];
const LATEST = {'nightly-report': SEEDED[1], 'row-counts': SEEDED[2]};

function seedArtifacts(path: string): void {
  const sqlite = new Database(path);
  try {
    const insertArtifact = sqlite.prepare(
      `insert into artifact (id, created, updated, key, type, description, data, metadata_, flow_run_id, task_run_id)
       values (@id, @created, @created, @key, @type, @description, @data, @metadata_, @flow_run_id, @task_run_id)`,
    );
    for (const artifact of SEEDED) insertArtifact.run(artifact);
    const insertCollection = sqlite.prepare(
      `insert into artifact_collection (id, created, updated, key, latest_id, type, description, data, metadata_, flow_run_id, task_run_id)
       values (@collection_id, @first_created, @created, @key, @id, @type, @description, @data, @metadata_, @flow_run_id, @task_run_id)`,
    );
    for (const [i, artifact] of Object.values(LATEST).entries()) {
      insertCollection.run({...artifact, collection_id: `5d000000-0000-4000-8000-00000000001${i}`, first_created: SEEDED[0].created});
    }
  } finally {
    sqlite.close();
  }
}

/** What the CLI should print for an artifact row read by plain SQL. */
function expectedJson(row: SqlRow): ArtifactJson {
  const iso = (text: string) => text.replace(' ', 'T') + 'Z';
  const json = (text: string | null) => (text === null ? null : JSON.parse(text));
  const artifact: ArtifactJson = {
    id: row.id as string,
    created: iso(row.created as string),
    updated: iso(row.updated as string),
    key: row.key,
    type: row.type,
    description: row.description,
    data: json(row.data),
    metadata_: json(row.metadata_),
    flow_run_id: row.flow_run_id,
    task_run_id: row.task_run_id,
  };
  return row.latest_id === undefined ? artifact : {...artifact, latest_id: row.latest_id as string};
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

for (const fixture of PREFECT_FIXTURES) {
  describe(`artifact commands on ${fixture}`, () => {
    let plainPath: string;
    let seededPath: string;
    let fixtureArtifacts: SqlRow[];
    let allArtifacts: SqlRow[];
    let collections: SqlRow[];

    before(() => {
      plainPath = copyFixture(fixture);
      seededPath = plainPath.replace(/\.db$/, '-artifacts.db');
      copyFileSync(plainPath, seededPath);
      seedArtifacts(seededPath);
      const read = (path: string, sql: string) => {
        const sqlite = new Database(path, {readonly: true});
        try {
          return sqlite.prepare(sql).all() as SqlRow[];
        } finally {
          sqlite.close();
        }
      };
      const columns = 'id, created, updated, key, type, description, data, metadata_, flow_run_id, task_run_id';
      // The CLI's default order: by key (keyless last), newest version first, then id.
      const order = 'order by key is null, key, created desc, id';
      fixtureArtifacts = read(plainPath, `select ${columns} from artifact ${order}`);
      allArtifacts = read(seededPath, `select ${columns} from artifact ${order}`);
      collections = read(seededPath, `select ${columns}, latest_id from artifact_collection order by key, id`);
    });

    after(removeTempDirs);

    for (const dialect of testDialects()) {
      describe(dialect, () => {
        let plain: string;
        let seeded: string;
        const drops: Array<() => Promise<void>> = [];

        before(async function () {
          if (dialect === 'postgres') {
            await requirePostgres(this);
            [plain, seeded] = await Promise.all(
              [plainPath, seededPath].map(async (path) => {
                const loaded = await loadFixtureIntoPostgres(path);
                drops.push(loaded.drop);
                return loaded.url;
              }),
            );
          } else {
            [plain, seeded] = [plainPath, seededPath];
          }
        });

        after(async () => {
          await Promise.all(drops.splice(0).map((drop) => drop()));
        });

        /** Runs on this dialect; on PostgreSQL also checks the output deep-equals SQLite's for the same data. */
        async function json<T>(args: string[], db: string): Promise<T> {
          const result = parseJson<T>(ok(await runCli([...args, '--db', db, '--json'])));
          if (dialect === 'postgres') {
            const sqlitePath = db === plain ? plainPath : seededPath;
            expect(result).to.deep.equal(parseJson<T>(ok(await runCli([...args, '--db', sqlitePath, '--json']))));
          }
          return result;
        }

        it('artifact ls --all-versions on the untouched database gives every artifact as plain SQL sees it', async () => {
          const listed = await json<ArtifactJson[]>(['artifact', 'ls', '--all-versions', '--all'], plain);
          expect(listed).to.deep.equal(fixtureArtifacts.map(expectedJson));
          const keys = ok(await runCli(['artifact', 'ls', '--db', plain]));
          expect([keys.stdout, keys.stderr]).to.deep.equal(['', 'no artifact keys found\n']);
        });

        it('artifact ls lists the latest artifact per key; -q prints the latest ids', async () => {
          const listed = await json<ArtifactJson[]>(['artifact', 'ls'], seeded);
          expect(listed).to.deep.equal(collections.map(expectedJson));
          expect(Object.keys(listed[0])).to.deep.equal([
            'id', 'created', 'updated', 'key', 'type', 'description', 'data', 'metadata_', 'flow_run_id', 'task_run_id', 'latest_id',
          ]);
          expect(listed.map((a) => a.latest_id)).to.deep.equal([LATEST['nightly-report'].id, LATEST['row-counts'].id]);
          const quiet = ok(await runCli(['artifact', 'ls', '--db', seeded, '-q']));
          expect(quiet.stdout).to.equal(`${LATEST['nightly-report'].id}\n${LATEST['row-counts'].id}\n`);
        });

        it('artifact ls --all-versions lists every row, keyless last; --limit says what it cut', async () => {
          const listed = await json<ArtifactJson[]>(['artifact', 'ls', '--all-versions', '--all'], seeded);
          expect(listed).to.deep.equal(allArtifacts.map(expectedJson));
          const cut = ok(await runCli(['artifact', 'ls', '--all-versions', '--limit', '2', '--db', seeded]));
          expect(cut.stderr).to.equal(`2 of ${allArtifacts.length} artifacts; --limit N or --all for more\n`);
          expect(cut.stdout).to.match(/^ID +KEY +TYPE +DESCRIPTION +UPDATED\n/);
          const newestFirst = await json<ArtifactJson[]>(['artifact', 'ls', '--all-versions', '--all', '--sort', 'created'], seeded);
          const created = newestFirst.map((a) => a.created);
          expect(created).to.deep.equal([...created].sort().reverse());
        });

        it('artifact ls filters by key, type, flow run (id or prefix) and task run', async () => {
          const ids = async (...filter: string[]) =>
            (await json<ArtifactJson[]>(['artifact', 'ls', '--all-versions', '--all', ...filter], seeded)).map((a) => a.id);
          expect(await ids('--key', 'nightly-report')).to.deep.equal([SEEDED[1].id, SEEDED[0].id]);
          expect(await ids('--type', 'table')).to.deep.equal([SEEDED[2].id]);
          expect(await ids('--flow-run', FLOW_RUN.slice(0, 6))).to.deep.equal([SEEDED[1].id, SEEDED[0].id, SEEDED[3].id]);
          expect(await ids('--flow-run', FLOW_RUN, '--type', 'result')).to.deep.equal([SEEDED[3].id]);
          expect(await ids('--task-run', TASK_RUN)).to.deep.equal([SEEDED[1].id]);
          const latest = await json<ArtifactJson[]>(['artifact', 'ls', '--task-run', TASK_RUN.slice(0, 4)], seeded);
          expect(latest.map((a) => a.key)).to.deep.equal(['nightly-report']);
          const invalid = await runCli(['artifact', 'ls', '--flow-run', 'xyz!', '--db', seeded]);
          expect([invalid.exitCode, invalid.stderr]).to.deep.equal([2, 'Error: invalid flow run id "xyz!": expected a UUID or a prefix of one\n']);
        });

        it('artifact inspect KEY shows the latest version; an id or unique prefix shows that artifact', async () => {
          const byKey = await json<ArtifactJson>(['artifact', 'inspect', 'nightly-report'], seeded);
          expect(byKey).to.deep.equal(expectedJson(allArtifacts.find((a) => a.id === SEEDED[1].id) as SqlRow));
          const byId = await json<ArtifactJson>(['artifact', 'inspect', SEEDED[0].id], seeded);
          expect(byId.data).to.equal('# Report v1');
          const keyless = await json<ArtifactJson>(['artifact', 'inspect', '4c'], seeded);
          expect([keyless.key, keyless.data, keyless.metadata_]).to.deep.equal([null, {type: 'unpersisted'}, null]);
          const table = ok(await runCli(['artifact', 'inspect', 'row-counts', '--db', seeded]));
          expect(table.stdout).to.match(/^ID: +3b000000-0000-4000-8000-000000000003\n/);
        });

        it('artifact inspect KEY --all-versions gives the history, newest first', async () => {
          const history = await json<ArtifactJson[]>(['artifact', 'inspect', 'nightly-report', '--all-versions'], seeded);
          expect(history.map((a) => a.id)).to.deep.equal([SEEDED[1].id, SEEDED[0].id]);
          const quiet = ok(await runCli(['artifact', 'inspect', SEEDED[0].id, '--all-versions', '-q', '--db', seeded]));
          expect(quiet.stdout).to.equal(`${SEEDED[1].id}\n${SEEDED[0].id}\n`);
        });

        it('artifact inspect of something that is not there is exit 3; an ambiguous prefix exit 2', async () => {
          const missingKey = await runCli(['artifact', 'inspect', 'no-such-key', '--db', seeded]);
          expect([missingKey.exitCode, missingKey.stderr]).to.deep.equal([3, 'Error: no artifact with key "no-such-key"\n']);
          expect((await runCli(['artifact', 'inspect', 'ffff', '--db', seeded])).exitCode).to.equal(3);
          const ambiguous = await runCli(['artifact', 'inspect', '2a', '--db', seeded]);
          expect(ambiguous.exitCode).to.equal(2);
          expect(ambiguous.stderr).to.match(/ambiguous artifact id prefix "2a"/);
        });

        if (dialect === 'sqlite') {
          it('reads leave the SQLite file byte-identical', async () => {
            const before = sha256(seededPath);
            ok(await runCli(['artifact', 'ls', '--db', seededPath]));
            ok(await runCli(['artifact', 'ls', '--all-versions', '--db', seededPath, '--json']));
            ok(await runCli(['artifact', 'inspect', 'nightly-report', '--db', seededPath]));
            expect(sha256(seededPath)).to.equal(before);
          });
        }
      });
    }
  });
}
