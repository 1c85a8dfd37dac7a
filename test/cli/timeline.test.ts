import {expect} from 'chai';

import {buildTimeline, preciseDuration} from '../../src/render/timeline.js';
import {parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

interface RunWithHistory {
  id: string;
  state_type: string;
  end_time: string | null;
  state_history: Array<{type: string; name: string; timestamp: string}>;
}

/** "1h 02m 03.456s" → milliseconds. */
function parseDuration(text: string): number {
  let ms = 0;
  for (const [, value, unit] of text.matchAll(/([\d.]+)([dhms])/g)) {
    ms += Math.round(Number(value) * {d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000}[unit as 'd' | 'h' | 'm' | 's']);
  }
  return ms;
}

/** The rows of the "State timeline (UTC)" section of an inspect table. */
function timelineRows(stdout: string): string[][] {
  const section = stdout.slice(stdout.indexOf('State timeline (UTC)'));
  const lines = section.split('\n').slice(2);
  const rows: string[][] = [];
  for (const line of lines) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/\s{2,}/));
  }
  return rows;
}

describe('state timeline: pure arithmetic', () => {
  it('spends time in each state until the next one; a final last state has none; durations add up', () => {
    const {steps, totalMs} = buildTimeline(
      [
        {type: 'SCHEDULED', name: 'Scheduled', timestamp: '2026-01-01T10:00:00.000100Z', message: null},
        {type: 'PENDING', name: 'Pending', timestamp: '2026-01-01T10:59:58.500900Z', message: null},
        {type: 'RUNNING', name: 'Running', timestamp: '2026-01-01T11:00:00.000000Z', message: null},
        {type: 'COMPLETED', name: 'Completed', timestamp: '2026-01-01T11:03:12.345999Z', message: null},
      ],
      Date.parse('2026-06-01T00:00:00Z'),
    );
    expect(steps.map((s) => s.spentMs)).to.deep.equal([3_598_500, 1_500, 192_345, null]);
    expect(totalMs).to.equal(Date.parse('2026-01-01T11:03:12.345Z') - Date.parse('2026-01-01T10:00:00.000Z'));
    expect(preciseDuration(3_598_500)).to.equal('59m 58.500s');
    expect(preciseDuration(192_345)).to.equal('3m 12.345s');
    expect(preciseDuration(90_061_001)).to.equal('1d 01h 01m 01.001s');
  });

  it('counts a run still in a state up to now', () => {
    const {steps, totalMs} = buildTimeline([{type: 'RUNNING', name: 'Running', timestamp: '2026-01-01T11:00:00Z', message: null}], Date.parse('2026-01-01T11:00:05.250Z'));
    expect(steps[0]).to.include({spentMs: 5_250, current: true});
    expect(totalMs).to.equal(5_250);
  });
});

for (const dialect of testDialects()) {
  describe(`state timeline in flow-run / task-run inspect [${dialect}]`, function () {
    this.timeout(120_000);
    const fixture = PREFECT_FIXTURES[PREFECT_FIXTURES.length - 1];
    let db: string;
    let drop: () => Promise<void>;

    before(async function () {
      ({url: db, drop} = await fixtureDatabase(this, dialect, fixture));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    for (const kind of ['flow-run', 'task-run'] as const) {
      it(`${kind} inspect shows each state's UTC entry time to the millisecond and time spent, adding up to the total`, async () => {
        const listed = parseJson<Array<{id: string}>>(await runCli([kind, 'ls', '--db', db, '--state-type', 'COMPLETED,FAILED', '--limit', '5', '--json']));
        expect(listed.length, `${fixture} has finished ${kind}s`).to.be.greaterThan(0);
        for (const {id} of listed) {
          const states = parseJson<RunWithHistory>(await runCli([kind, 'inspect', id, '--db', db, '--json'])).state_history;
          const table = await runCli([kind, 'inspect', id, '--db', db]);
          expect(table.exitCode, table.stderr).to.equal(0);
          const rows = timelineRows(table.stdout);
          const stateRows = states.length > 1 ? rows.slice(0, -1) : rows;
          expect(stateRows.map((r) => r[0])).to.deep.equal(
            states.map((s) => new Date(Math.floor(Date.parse(s.timestamp))).toISOString().replace('T', ' ')),
          );
          expect(stateRows.at(-1)?.[2]).to.equal('final');
          if (states.length > 1) {
            const total = rows.at(-1)!;
            expect(total[0]).to.equal('total');
            const spent = stateRows.slice(0, -1).map((r) => parseDuration(r[2]));
            const first = Math.floor(Date.parse(states[0].timestamp));
            const last = Math.floor(Date.parse(states.at(-1)!.timestamp));
            expect(spent.reduce((a, b) => a + b, 0)).to.equal(parseDuration(total[1]));
            expect(parseDuration(total[1])).to.equal(last - first);
          }
        }
      });
    }
  });
}
