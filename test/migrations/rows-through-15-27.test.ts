import {expect} from 'chai';

import type {Dialect} from '../../src/db/dialect.js';
import {loadChain} from '../../src/db/migration-chain.js';
import {chainDatabaseAt, currentRevision, runStep} from '../support/chain-database.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {type Planted, plant, readWatched} from './data/late-chain-cases.js';

// Chain files 15–27 up and back down over a database with a row in every table their SQLite
// rebuilds copy (and the variables whose values 22 converts and converts back): every row
// comes back as it was planted. 28 is left out: it drops columns whose values do not return.
const FROM: Record<Dialect, string> = {sqlite: '07ed05dfd4ec', postgres: 'aeea5ee6f070'};
const TO: Record<Dialect, string> = {sqlite: '5952a5498b51', postgres: '68a44144428d'};

const id = (n: number) => `5a1e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function rows(dialect: Dialect): Planted {
  const time = (minute: number) => (dialect === 'sqlite' ? `2024-03-01 08:${String(minute).padStart(2, '0')}:00.000000` : `2024-03-01T08:${String(minute).padStart(2, '0')}:00.000Z`);
  const stamps = (minute: number) => ({created: time(minute), updated: time(minute)});
  return [
    {table: 'flow', rows: [{id: id(1), name: 'f', ...stamps(1)}]},
    {table: 'work_pool', rows: [{id: id(2), name: 'pool', type: 'process', ...stamps(2)}]},
    {table: 'work_queue', rows: [{id: id(3), name: 'default', work_pool_id: id(2), priority: 1, ...stamps(3)}]},
    {table: 'worker', rows: [{id: id(4), name: 'w', work_pool_id: id(2), last_heartbeat_time: time(4), ...stamps(4)}]},
    {table: 'deployment', rows: [{id: id(5), name: 'd', flow_id: id(1), work_queue_id: id(3), work_queue_name: 'default', tags: '["x"]', ...stamps(5)}]},
    {table: 'deployment_schedule', rows: [{id: id(6), deployment_id: id(5), schedule: '{"interval": 60.0}', active: dialect === 'sqlite' ? 1 : true, ...stamps(6)}]},
    {table: 'flow_run', rows: [{id: id(7), name: 'run', flow_id: id(1), deployment_id: id(5), state_type: 'COMPLETED', state_name: 'Completed', expected_start_time: time(7), ...stamps(7)}]},
    {table: 'task_run', rows: [{id: id(8), name: 'task', task_key: 'k', dynamic_key: '0', flow_run_id: id(7), state_type: 'COMPLETED', ...stamps(8)}]},
    {table: 'automation', rows: [{id: id(9), name: 'a', description: '', enabled: dialect === 'sqlite' ? 1 : true, trigger: '{}', actions: '[]', actions_on_trigger: '[]', actions_on_resolve: '[]', ...stamps(9)}]},
    {
      table: 'automation_bucket',
      rows: [{id: id(10), automation_id: id(9), trigger_id: id(11), bucketing_key: '["k"]', start: time(10), end: time(11), count: 2, triggered_at: time(12), ...stamps(10)}],
    },
    {table: 'variable', rows: ['plain', 'café ☃', 'say "hi"\n'].map((value, i) => ({id: id(20 + i), name: `v${i}`, value, tags: '[]', ...stamps(20 + i)}))},
  ];
}

describe('chain files 15-27: every row survives the way up and back down', () => {
  after(() => removeTempDirs());
  for (const dialect of testDialects()) {
    it(dialect, async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      const planted = rows(dialect);
      const watch = planted.map(({table}) => ({table}));
      const database = await chainDatabaseAt(dialect, FROM[dialect]);
      try {
        await plant(database.knex, dialect, planted);
        const before = await readWatched(database.knex, dialect, watch);
        const chain = await loadChain(dialect);
        const steps = chain.slice(chain.findIndex((s) => s.revision === FROM[dialect]) + 1, chain.findIndex((s) => s.revision === TO[dialect]) + 1);
        expect(steps).to.have.length(13);
        for (const step of steps) await runStep(database, step.revision, 'up');
        const [flowRun] = await database.knex('flow_run').select('deployment_version', 'labels');
        expect(flowRun).to.deep.equal({deployment_version: null, labels: null});
        for (const step of [...steps].reverse()) await runStep(database, step.revision, 'down');
        expect(await currentRevision(database.knex)).to.equal(FROM[dialect]);
        expect(await readWatched(database.knex, dialect, watch)).to.deep.equal(before);
      } finally {
        await database.drop();
      }
    });
  }
});
