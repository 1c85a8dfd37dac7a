import {expect} from 'chai';
import Database from 'better-sqlite3';

import {runCli, parseJson} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

interface FlowJson {
  id: string;
  name: string;
  created: string;
  tags: string[];
  flow_run_counts?: Record<string, number>;
  deployments?: Array<{id: string; name: string}>;
}

const isoFromSqlite = (text: string) => text.replace(' ', 'T') + 'Z';

for (const fixture of PREFECT_FIXTURES) {
  describe(`flow commands on ${fixture}`, () => {
    let sqlitePath: string;
    let expected: Array<{id: string; name: string; created: string; tags: string}>;
    let runCounts: Map<string, Record<string, number>>;

    before(() => {
      sqlitePath = copyFixture(fixture);
      const sqlite = new Database(sqlitePath, {readonly: true});
      expected = sqlite.prepare('select id, name, created, tags from flow order by name, id').all() as typeof expected;
      runCounts = new Map();
      for (const row of sqlite
        .prepare(`select flow_id, coalesce(state_type, 'NONE') as t, count(*) as n from flow_run group by flow_id, t`)
        .all() as Array<{flow_id: string; t: string; n: number}>) {
        runCounts.set(row.flow_id, {...runCounts.get(row.flow_id), [row.t]: row.n});
      }
      sqlite.close();
    });

    after(removeTempDirs);

    for (const dialect of testDialects()) {
      describe(dialect, () => {
        let db: string;
        let drop: (() => Promise<void>) | undefined;

        before(async function () {
          ({url: db, drop} = await fixtureDatabase(this, dialect, fixture));
        });

        after(async () => drop?.());

        it('flow ls --json lists every flow as plain SQL sees it', async () => {
          const result = await runCli(['flow', 'ls', '--db', db, '--json', '--all']);
          expect(result.exitCode, result.stderr).to.equal(0);
          const flows = parseJson<FlowJson[]>(result);
          expect(flows.map((f) => f.id)).to.deep.equal(expected.map((f) => f.id));
          expect(flows.map((f) => f.name)).to.deep.equal(expected.map((f) => f.name));
          expect(flows.map((f) => f.created)).to.deep.equal(expected.map((f) => isoFromSqlite(f.created)));
          expect(flows.map((f) => f.tags)).to.deep.equal(expected.map((f) => JSON.parse(f.tags)));
        });

        it('flow ls --name matches the text in any case, its % and _ taken literally, alike on both dialects', async () => {
          const names = async (text: string) => {
            const result = await runCli(['flow', 'ls', '--db', db, '--json', '--all', '--name', text]);
            expect(result.exitCode, result.stderr).to.equal(0);
            return parseJson<FlowJson[]>(result).map((f) => f.name);
          };
          const sample = expected.find((f) => /[a-z]{3}/i.test(f.name));
          expect(sample, 'a fixture flow with a name of letters').to.not.equal(undefined);
          const part = (sample as {name: string}).name.match(/[a-z]{3}/i)?.[0] as string;
          const containing = expected.filter((f) => f.name.toLowerCase().includes(part.toLowerCase())).map((f) => f.name);
          expect(await names(part.toUpperCase())).to.deep.equal(containing);
          expect(await names(part.toLowerCase())).to.deep.equal(containing);
          expect(await names('%')).to.deep.equal(expected.filter((f) => f.name.includes('%')).map((f) => f.name));
          expect(await names('_')).to.deep.equal(expected.filter((f) => f.name.includes('_')).map((f) => f.name));
        });

        it('flow inspect by name gives run counts by state type', async () => {
          for (const flow of expected) {
            const result = await runCli(['flow', 'inspect', flow.name, '--db', db, '--json']);
            expect(result.exitCode, result.stderr).to.equal(0);
            const json = parseJson<FlowJson>(result);
            expect(json.id).to.equal(flow.id);
            expect(json.flow_run_counts).to.deep.equal(runCounts.get(flow.id) ?? {});
          }
        });

        it('flow inspect by unique id prefix finds the flow; unknown → exit 3', async () => {
          const flow = expected[0];
          const result = await runCli(['flow', 'inspect', flow.id.slice(0, 8), '--db', db, '-q']);
          expect(result.stdout).to.equal(`${flow.id}\n`);
          const missing = await runCli(['flow', 'inspect', 'no-such-flow-name', '--db', db]);
          expect(missing.exitCode).to.equal(3);
          expect(missing.stderr).to.match(/^Error: no flow named "no-such-flow-name"\n$/);
        });
      });
    }
  });
}
