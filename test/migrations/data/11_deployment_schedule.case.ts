import type {DataCase} from '../../support/data-migration.js';
import {columnsOf, plantedAt, shapeOf, tableExists} from '../../support/data-migration.js';

// Each deployment's schedule moves into deployment_schedule (null and JSON null stay behind),
// active as is_schedule_active was, and paused becomes its opposite. Prefect's downgrade drops
// both and moves nothing back. New rows' ids and timestamps are fresh: compared by shape.
const FLOW_ID = 'de900000-0000-4000-8000-00000000f10a';
const INTERVAL = '{"interval": 3600.0, "anchor_date": "2024-01-01T00:00:00+00:00", "timezone": "UTC"}';
const CRON = '{"cron": "0 9 * * 1-5", "timezone": "Europe/Paris", "day_or": true}';

const DEPLOYMENTS: Array<{name: string; schedule: string | null; is_schedule_active: number}> = [
  {name: 'interval-active', schedule: INTERVAL, is_schedule_active: 1},
  {name: 'cron-inactive', schedule: CRON, is_schedule_active: 0},
  {name: 'no-schedule-active', schedule: null, is_schedule_active: 1},
  {name: 'no-schedule-inactive', schedule: null, is_schedule_active: 0},
  {name: 'json-null-schedule', schedule: 'null', is_schedule_active: 0},
];

export const dataCase: DataCase = {
  sqlite: {revision: '265eb1a2da4c', downRevision: 'c63a0a6dc787', fixture: '265eb1a2da4c-sqlite.json'},
  postgres: {revision: '8cf4d4933848', downRevision: '6b63c51c31b4', fixture: '265eb1a2da4c-postgres.json'},
  async plant(knex, dialect) {
    const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
    await knex('flow').insert({...at, id: FLOW_ID, name: 'scheduled-flow'});
    await knex('deployment').insert(
      DEPLOYMENTS.map((deployment, i) => ({...at, ...deployment, id: `de900000-0000-4000-8000-00000000000${i}`, flow_id: FLOW_ID})),
    );
  },
  async read(knex, dialect) {
    const wanted = ['id', 'name', 'schedule', 'is_schedule_active', 'paused'];
    const present = new Set(await columnsOf(knex, dialect, 'deployment'));
    const deployments = await knex('deployment').select(wanted.filter((column) => present.has(column))).orderBy('id');
    if (!(await tableExists(knex, dialect, 'deployment_schedule'))) return {deployments};
    const schedules = (await knex('deployment_schedule').select('*').orderBy('deployment_id')).map((row: Record<string, unknown>) => ({
      ...row,
      id: shapeOf(row.id, 'uuid'),
      created: shapeOf(row.created, 'timestamp'),
      updated: shapeOf(row.updated, 'timestamp'),
    }));
    return {deployments, schedules};
  },
};
