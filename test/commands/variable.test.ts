import {expect} from 'chai';

import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {fileHash, readRows, snapshotTables, UUID4, without} from '../support/table-rows.js';

type Json = Record<string, unknown>;

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

// Prefect 3.0 (migration 2ac65f1758c2) made variable.value JSON; 2.x stores text.
const valuesAreJson = (fixture: string) => fixture.startsWith('prefect-3');

/**
 * VALUE given on the command line → [what `variable get` prints, the stored value on SQLite
 * 3.x, on PostgreSQL 3.x, on 2.x (text)].
 */
const CASES: Array<[name: string, value: string, get: string, sqlite3x: unknown, postgres3x: unknown, text2x: string | null]> = [
  ['url', 'https://example.com/a', 'https://example.com/a', '"https://example.com/a"', 'https://example.com/a', 'https://example.com/a'],
  ['retries', '3', '3', 3, 3, '3'],
  ['ratio', '2.50', '2.5', 2.5, 2.5, '2.50'],
  ['enabled', 'true', 'true', 'true', true, 'true'],
  ['config', '{"b": [1, 2.5], "é": "x"}', '{"b":[1,2.5],"é":"x"}', '{"b": [1, 2.5], "\\u00e9": "x"}', {b: [1, 2.5], é: 'x'}, '{"b": [1, 2.5], "é": "x"}'],
  ['quoted', '"hello world"', 'hello world', '"hello world"', 'hello world', 'hello world'],
  ['nothing', 'null', 'null', null, null, 'null'],
];

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`variable commands on ${fixture} (${dialect})`, () => {
      let url: string;
      let drop: () => Promise<void>;
      const cli = (...args: string[]) => runCli([...args, '--db', url]);
      const variable = async (name: string) => (await readRows(dialect, url, 'select * from variable where name = $1', [name]))[0];
      const json = valuesAreJson(fixture);

      before(async function () {
        ({url, drop} = await fixtureDatabase(this, dialect, fixture));
      });
      after(async () => {
        await drop?.();
        removeTempDirs();
      });

      it('set stores each value as that Prefect release stores it; get prints it for a shell; nothing else is touched', async () => {
        const before = await snapshotTables(dialect, url);
        for (const [name, value, get, sqlite3x, postgres3x, text2x] of CASES) {
          const printed = parseJson<Json>(ok(await cli('variable', 'set', name, value, '--json')));
          expect(printed).to.deep.equal(parseJson(ok(await cli('variable', 'inspect', name, '--json'))));
          const row = await variable(name);
          expect(row.id).to.match(UUID4);
          expect(row.value, `${name} stored`).to.deep.equal(json ? (dialect === 'sqlite' ? sqlite3x : postgres3x) : text2x);
          expect(row.tags).to.deep.equal(dialect === 'sqlite' ? '[]' : []);
          const got = ok(await cli('variable', 'get', name));
          expect(got.stdout, `${name} get`).to.equal(`${json ? get : text2x}\n`);
        }
        const after = await snapshotTables(dialect, url);
        expect(without(after, 'variable')).to.deep.equal(without(before, 'variable'));
        const listed = parseJson<Json[]>(ok(await cli('variable', 'ls', '--json')));
        expect(listed.map((v) => v.name)).to.deep.equal(CASES.map((c) => c[0]).sort());
      });

      it('an existing variable is replaced only with --overwrite; tags become the ones given', async () => {
        const refused = await cli('variable', 'set', 'retries', '4');
        expect(refused.exitCode).to.equal(4);
        expect(refused.stderr).to.match(/already exists \(pass --overwrite/);
        const original = await variable('retries');
        ok(await cli('variable', 'set', 'retries', '4', '--overwrite', '--tag', 'prod', '--tag', 'ops', '-q'));
        const replaced = await variable('retries');
        expect(replaced.id).to.equal(original.id);
        expect(replaced.created).to.deep.equal(original.created);
        expect(replaced.updated).to.not.deep.equal(original.updated);
        expect(replaced.tags).to.deep.equal(dialect === 'sqlite' ? '["prod", "ops"]' : ['prod', 'ops']);
        expect(replaced.value).to.deep.equal(json ? 4 : '4');
        ok(await cli('variable', 'set', 'retries', '5', '--overwrite', '-q'));
        expect((await variable('retries')).tags).to.deep.equal(dialect === 'sqlite' ? '[]' : []);
      });

      it('unset deletes the variable (with --yes); --dry-run and bad input change nothing', async () => {
        const hash = dialect === 'sqlite' ? fileHash(url) : '';
        const before = await snapshotTables(dialect, url);
        const cases: Array<[string[], number]> = [
          [['variable', 'set', 'Bad Name', 'x'], 2],
          [['variable', 'set', 'x'.repeat(256), 'x'], 2],
          [['variable', 'set', 'big', 'x'.repeat(5001)], 2],
          [['variable', 'set', 'with-dash', 'x', '--dry-run'], json ? 0 : 2],
          [['variable', 'set', 'fresh', '1', '--dry-run'], 0],
          [['variable', 'get', 'nope'], 3],
          [['variable', 'inspect', 'nope'], 3],
          [['variable', 'unset', 'nope', '--yes'], 3],
          [['variable', 'unset', 'url'], 4],
          [['variable', 'unset', 'url', '--dry-run'], 0],
        ];
        for (const [args, code] of cases) {
          const result = await cli(...args);
          expect(result.exitCode, `${args.join(' ').slice(0, 60)}: ${result.stderr}`).to.equal(code);
        }
        expect(await snapshotTables(dialect, url)).to.deep.equal(before);
        if (dialect === 'sqlite') expect(fileHash(url), 'the SQLite file changed').to.equal(hash);
        const removed = parseJson<Json>(ok(await cli('variable', 'unset', 'url', '--yes', '--json')));
        expect(removed.name).to.equal('url');
        const after = await snapshotTables(dialect, url);
        expect(after.variable).to.deep.equal(before.variable.filter((row) => row.name !== 'url'));
        expect(without(after, 'variable')).to.deep.equal(without(before, 'variable'));
      });
    });
  }
}
