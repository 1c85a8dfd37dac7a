// The data migrations of chain files 15–28, as cases both the fixture generator
// (test/fixtures/migrations/data/generate-late-chain.ts, which runs Prefect's own scripts) and
// the tests (which run prefectdb's) use: rows planted in the old encoding and the tables read
// back after. Shared machinery: late-chain-cases.ts.
import type {Dialect} from '../../../src/db/dialect.js';
import type {DataCase, Planted, Row} from './late-chain-cases.js';

const ids = {
  variables: (i: number) => `5a1e0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  flow: '5a1e0000-0000-4000-8000-0000000000f1',
  deployments: ['5a1e0000-0000-4000-8000-0000000000d1', '5a1e0000-0000-4000-8000-0000000000d2', '5a1e0000-0000-4000-8000-0000000000d3'],
  schedules: ['5a1e0000-0000-4000-8000-0000000000e1', '5a1e0000-0000-4000-8000-0000000000e2'],
  limits: ['5a1e0000-0000-4000-8000-000000000101', '5a1e0000-0000-4000-8000-000000000102', '5a1e0000-0000-4000-8000-000000000103'],
  collections: ['5a1e0000-0000-4000-8000-000000000201', '5a1e0000-0000-4000-8000-000000000202'],
  latest: ['5a1e0000-0000-4000-8000-0000000002fe', '5a1e0000-0000-4000-8000-0000000002ff'],
};

function timestamp(dialect: Dialect, minute: number): string {
  const mm = String(minute).padStart(2, '0');
  return dialect === 'sqlite' ? `2024-06-01 09:${mm}:00.000000` : `2024-06-01T09:${mm}:00.000Z`;
}

function bool(dialect: Dialect, value: boolean): unknown {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

function variables(dialect: Dialect, values: unknown[]): Planted {
  return [
    {
      table: 'variable',
      rows: values.map((value, i) => ({id: ids.variables(i), name: `var_${i}`, value, tags: '[]', created: timestamp(dialect, i), updated: timestamp(dialect, i)})),
    },
  ];
}

/** Old string values of every awkward kind: quotes, escapes, text outside ASCII, JSON look-alikes. */
export const OLD_VARIABLE_VALUES = [
  'hello',
  '',
  'café ☃ 😀',
  'with "quotes" and \\ backslash\nnew line\ttab',
  '42',
  'true',
  'null',
  '{"a": 1}',
  '[1,2]',
  '1.5',
  'control \u0001 and delete \u007f',
  ' 7 ',
];

/**
 * JSON values as Prefect at 3.0 stores them, that its downgrade can turn back on both dialects
 * (SQLite keeps numbers as numbers in the JSON column).
 */
function convertibleJsonValues(dialect: Dialect): unknown[] {
  const numbers =
    dialect === 'sqlite'
      ? [42, 1.5, 1e100, 0.1, 12345678901234567890123, 1e-5, 123456789.123, -2.5, 1e15, 123456789012345.6]
      : ['42', '1.5', '1e100', '0.10', '12345678901234567890123', '1e-5', '123456789.123', '-2.5', '1e15', '123456789012345.6'];
  return ['"hello"', '"caf\\u00e9 \\u2603"', '" spaced "', '"it\'s \\"quoted\\"\\n"', 'true', 'false', '""', ...numbers];
}

/** JSON values Prefect's SQLite downgrade fails on; its PostgreSQL one writes Python's text of them. */
export const UNCONVERTIBLE_JSON_VALUES = ['null', '{"a": 1, "b": [true, null, "x"]}', '[1, 2.50, "s"]', '{}'];

/** 22: variable values become JSON. */
export const jsonVariables: DataCase = {
  sqliteRevision: '2ac65f1758c2',
  revisions: {sqlite: {revision: '2ac65f1758c2', downRevision: '20fbd53b3cef'}, postgres: {revision: '94622c1663e8', downRevision: 'b23c83a12cb4'}},
  up: {plant: (dialect) => variables(dialect, OLD_VARIABLE_VALUES), watch: [{table: 'variable'}]},
  down: {
    plant: (dialect) => variables(dialect, dialect === 'sqlite' ? convertibleJsonValues(dialect) : [...convertibleJsonValues(dialect), ...UNCONVERTIBLE_JSON_VALUES]),
    watch: [{table: 'variable'}],
  },
};

function deployments(dialect: Dialect, extra: (i: number) => Row = () => ({})): Planted {
  return [
    {table: 'flow', rows: [{id: ids.flow, name: 'mid-chain-flow', created: timestamp(dialect, 0), updated: timestamp(dialect, 0)}]},
    {
      table: 'deployment',
      rows: ids.deployments.map((id, i) => ({id, name: `deployment-${i + 1}`, flow_id: ids.flow, created: timestamp(dialect, 1 + i), updated: timestamp(dialect, 1 + i), ...extra(i)})),
    },
  ];
}

function limit(dialect: Dialect, id: string, name: string, minute: number): Row {
  return {id, name, limit: 2, active: bool(dialect, true), active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 600, created: timestamp(dialect, minute), updated: timestamp(dialect, minute)};
}

/** 26: each deployment is linked to the global limit named deployment:<its id>. */
export const deploymentConcurrencyLimits: DataCase = {
  sqliteRevision: '4ad4658cbefe',
  revisions: {sqlite: {revision: '4ad4658cbefe', downRevision: '7d6350aea855'}, postgres: {revision: 'eaec5004771f', downRevision: '555ed31b284d'}},
  up: {
    plant: (dialect) => [
      ...deployments(dialect, (i) => ({concurrency_limit: i === 1 ? null : 2})),
      {
        table: 'concurrency_limit_v2',
        rows: [
          limit(dialect, ids.limits[0], `deployment:${ids.deployments[0]}`, 10),
          limit(dialect, ids.limits[1], `deployment:${ids.deployments[2]}`, 11),
          // Not a deployment's limit, nor one of a deployment that exists.
          limit(dialect, ids.limits[2], 'deployment:5a1e0000-0000-4000-8000-0000000000ff', 12),
        ],
      },
    ],
    watch: [{table: 'deployment'}, {table: 'concurrency_limit_v2'}],
  },
  down: {
    plant: (dialect) => [
      {table: 'concurrency_limit_v2', rows: [limit(dialect, ids.limits[0], `deployment:${ids.deployments[0]}`, 10)]},
      ...deployments(dialect, (i) => ({concurrency_limit_id: i === 0 ? ids.limits[0] : null})),
    ],
    watch: [{table: 'deployment'}, {table: 'concurrency_limit_v2'}],
  },
};

function schedules(dialect: Dialect, extra: (i: number) => Row = () => ({})): Planted {
  return [
    {
      table: 'deployment_schedule',
      rows: ids.schedules.map((id, i) => ({
        id,
        deployment_id: ids.deployments[i],
        schedule: '{"interval": 3600.0, "anchor_date": "2024-01-01T00:00:00+00:00", "timezone": "UTC"}',
        active: bool(dialect, i === 0),
        max_scheduled_runs: i === 0 ? 5 : null,
        created: timestamp(dialect, 20 + i),
        updated: timestamp(dialect, 20 + i),
        ...extra(i),
      })),
    },
  ];
}

/** 28 (sync with the ORM): deployment and deployment_schedule lose unused columns; PostgreSQL fills artifact_collection.latest_id. */
export const syncOrmModels: DataCase = {
  sqliteRevision: 'a49711513ad4',
  revisions: {sqlite: {revision: 'a49711513ad4', downRevision: '5952a5498b51'}, postgres: {revision: '5d03c01be85e', downRevision: '68a44144428d'}},
  up: {
    plant: (dialect) => [
      ...deployments(dialect, (i) => ({
        schedule: i === 0 ? '{"cron": "0 * * * *"}' : null,
        is_schedule_active: bool(dialect, i !== 1),
        flow_data: i === 2 ? '{"encoding": "x"}' : null,
        manifest_path: i === 0 ? 'manifest.json' : null,
        labels: i === 0 ? '{"team": "data"}' : null,
      })),
      ...schedules(dialect, (i) => ({catchup: bool(dialect, i === 1), max_active_runs: i === 0 ? 3 : null})),
      {
        table: 'artifact_collection',
        // SQLite's latest_id was always required; on PostgreSQL the second one is empty.
        rows: ids.collections.map((id, i) => ({id, key: `collection-${i + 1}`, latest_id: i === 0 || dialect === 'sqlite' ? ids.latest[i] : null, created: timestamp(dialect, 30 + i), updated: timestamp(dialect, 30 + i)})),
      },
    ],
    watch: [{table: 'deployment'}, {table: 'deployment_schedule'}, {table: 'artifact_collection', normalise: freshLatestId}],
  },
  down: {
    plant: (dialect) => [...deployments(dialect), ...schedules(dialect)],
    watch: [{table: 'deployment'}, {table: 'deployment_schedule'}],
  },
};

/** A latest_id the upgrade made (PostgreSQL gives each empty one a fresh UUID) read by its shape. */
function freshLatestId(row: Row): Row {
  const made = row.latest_id !== null && !ids.latest.includes(String(row.latest_id));
  return {...row, latest_id: made && /^[0-9a-f-]{36}$/.test(String(row.latest_id)) ? '<fresh uuid>' : row.latest_id};
}

export const MID_CHAIN_CASES = [jsonVariables, deploymentConcurrencyLimits, syncOrmModels];
