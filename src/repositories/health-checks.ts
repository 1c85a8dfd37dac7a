import type {Knex} from 'knex';

import {readOffThread} from '../db/off-thread.js';
import type {RepositoryContext, Row} from './common.js';

/**
 * The detection queries of `db doctor`: each selects the ids of the rows a check finds,
 * as one query that can be counted, sampled, or read page by page in id order (so a fix
 * re-selects what is still wrong inside each batch). Timestamps are bound through the codec.
 */

export const TERMINAL_TYPES = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'] as const;
export const NON_TERMINAL_TYPES = ['SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING'] as const;
/** The states whose flow runs hold a deployment concurrency slot (Prefect's deployment limits). */
export const SLOT_HOLDING_TYPES = ['PENDING', 'RUNNING', 'CANCELLING'] as const;

/** A query selecting one `id` column, aliased `id`, of the rows a check finds. */
export type IdQuery = (knex: Knex | Knex.Transaction) => Knex.QueryBuilder;

export interface IdQueryDef {
  query: IdQuery;
  /** The id column, qualified (for keyset paging). */
  idColumn: string;
}

/**
 * How many ids the query selects. `beside`: a whole-table count on SQLite runs in a thread of
 * its own (db/off-thread.ts) so this one goes on meanwhile; `signal` stops it.
 */
export async function countIds(ctx: RepositoryContext, def: IdQueryDef, beside?: {signal?: AbortSignal}): Promise<number> {
  const query = def.query(ctx.db.knex).clearSelect().count({count: '*'});
  const compiled = query.toSQL();
  const offThread = beside ? readOffThread(ctx.db, compiled.sql, compiled.bindings, beside.signal) : undefined;
  const [{count}] = (await (offThread ?? query)) as Array<{count: unknown}>;
  return Number(count);
}

export async function sampleIds(ctx: RepositoryContext, def: IdQueryDef, size = 5): Promise<string[]> {
  const rows: Row[] = await def.query(ctx.db.knex).orderBy(def.idColumn).limit(size);
  return rows.map((row) => ctx.db.codec.decodeUuid(row.id) as string);
}

/** The next page of ids after `after`, read in `trx`. */
export async function idPage(ctx: RepositoryContext, def: IdQueryDef, trx: Knex.Transaction, after: string | undefined, size: number): Promise<string[]> {
  const qb = def.query(trx).orderBy(def.idColumn).limit(size);
  if (after !== undefined) qb.where(def.idColumn, '>', ctx.db.codec.encodeUuid(after));
  const rows: Row[] = await qb;
  return rows.map((row) => ctx.db.codec.decodeUuid(row.id) as string);
}

/** Running or Pending flow runs that entered that state before `cutoff` and showed no sign of life since. */
export function zombieRuns(ctx: RepositoryContext, cutoff: string): IdQueryDef {
  const {codec} = ctx.db;
  const hasEvents = ctx.schema.hasTable('events');
  return {
    idColumn: 'r.id',
    query: (knex) => {
      const qb = knex('flow_run as r')
        .select('r.id as id')
        .whereIn('r.state_type', ['RUNNING', 'PENDING'])
        .where('r.state_timestamp', '<', codec.encodeTimestamp(cutoff))
        .whereNotExists(knex('log as l').select(knex.raw('1')).whereRaw('l.flow_run_id = r.id').whereRaw('l.timestamp > r.state_timestamp'));
      if (hasEvents) {
        qb.whereNotExists(
          knex('events as e')
            .select(knex.raw('1'))
            .where('e.event', 'prefect.flow-run.heartbeat')
            .whereRaw(`e.resource_id = 'prefect.flow-run.' || r.id`)
            .whereRaw('e.occurred > r.state_timestamp'),
        );
      }
      return qb;
    },
  };
}

/** Task runs still in a non-final state although their flow run has finished: they may hold tag slots. */
export function strandedTaskRuns(): IdQueryDef {
  return {
    idColumn: 't.id',
    query: (knex) =>
      knex('task_run as t')
        .join('flow_run as f', 'f.id', 't.flow_run_id')
        .select('t.id as id')
        .whereIn('t.state_type', NON_TERMINAL_TYPES)
        .whereIn('f.state_type', TERMINAL_TYPES),
  };
}

/** Flow runs Cancelling since before `cutoff` (Prefect's cancellation cleanup gives up after 300 s). */
export function stuckCancelling(ctx: RepositoryContext, cutoff: string): IdQueryDef {
  return {
    idColumn: 'r.id',
    query: (knex) =>
      knex('flow_run as r').select('r.id as id').where('r.state_type', 'CANCELLING').where('r.state_timestamp', '<', ctx.db.codec.encodeTimestamp(cutoff)),
  };
}

/** Runs Prefect's late-runs service would mark Late: still "Scheduled" past their start by its grace period. */
export function lateRuns(ctx: RepositoryContext, cutoff: string): IdQueryDef {
  return {
    idColumn: 'r.id',
    query: (knex) =>
      knex('flow_run as r')
        .select('r.id as id')
        .where('r.state_type', 'SCHEDULED')
        .where('r.state_name', 'Scheduled')
        .where('r.next_scheduled_start_time', '<=', ctx.db.codec.encodeTimestamp(cutoff)),
  };
}

/** Logs whose flow run or task run no longer exists. */
export function orphanLogs(): IdQueryDef {
  return orphansOf('log');
}

/** Artifacts whose flow run or task run no longer exists. */
export function orphanArtifacts(): IdQueryDef {
  return orphansOf('artifact');
}

function orphansOf(table: 'log' | 'artifact'): IdQueryDef {
  return {
    idColumn: 'o.id',
    query: (knex) =>
      knex(`${table} as o`)
        .select('o.id as id')
        .where((w) =>
          w
            .where((f) => f.whereNotNull('o.flow_run_id').whereNotExists(knex('flow_run as f').select(knex.raw('1')).whereRaw('f.id = o.flow_run_id')))
            .orWhere((t) => t.whereNotNull('o.task_run_id').whereNotExists(knex('task_run as t').select(knex.raw('1')).whereRaw('t.id = o.task_run_id'))),
        ),
  };
}

/** Cache entries whose task run state no longer exists. */
export function orphanCacheRows(): IdQueryDef {
  return {
    idColumn: 'c.id',
    query: (knex) =>
      knex('task_run_state_cache as c')
        .select('c.id as id')
        .whereNotExists(knex('task_run_state as s').select(knex.raw('1')).whereRaw('s.id = c.task_run_state_id')),
  };
}

/** Artifact collections whose latest_id points at no artifact. */
export function danglingCollections(): IdQueryDef {
  return {
    idColumn: 'c.id',
    query: (knex) =>
      knex('artifact_collection as c').select('c.id as id').whereNotExists(knex('artifact as a').select(knex.raw('1')).whereRaw('a.id = c.latest_id')),
  };
}

/** Scheduled runs of deployments that no longer exist: no worker will ever pick them up. */
export function orphanScheduledRuns(): IdQueryDef {
  return {
    idColumn: 'r.id',
    query: (knex) =>
      knex('flow_run as r')
        .select('r.id as id')
        .where('r.state_type', 'SCHEDULED')
        .whereNotNull('r.deployment_id')
        .whereNotExists(knex('deployment as d').select(knex.raw('1')).whereRaw('d.id = r.deployment_id')),
  };
}

/**
 * Runs whose state_id is missing, belongs elsewhere, or is not their newest state row.
 * SQLite answers this with index probes per run. On PostgreSQL those probes (and a hash of
 * the whole state table for the pointer) took most of a minute on a million runs: there
 * one join of each run with its states, grouped by run, tells whether the pointed-at state
 * is among the run's states and holds its newest timestamp, in one pass over each table.
 */
export function wrongStatePointers(ctx: RepositoryContext, kind: 'flow_run' | 'task_run'): IdQueryDef {
  const states = `${kind}_state`;
  const runColumn = `${kind}_id`;
  if (ctx.db.dialect === 'postgres') {
    return {
      idColumn: 'r.id',
      query: (knex) =>
        knex
          .from(
            knex(`${kind} as run`)
              .join(`${states} as s`, `s.${runColumn}`, 'run.id')
              .select('run.id as id')
              .groupBy('run.id')
              // NULL (no such state of this run) is distinct from the newest timestamp too.
              .havingRaw('max(s.timestamp) filter (where s.id = run.state_id) is distinct from max(s.timestamp)')
              .as('r'),
          )
          .select('r.id as id'),
    };
  }
  return {
    idColumn: 'r.id',
    query: (knex) =>
      knex(`${kind} as r`)
        .select('r.id as id')
        .whereExists(knex(`${states} as s`).select(knex.raw('1')).whereRaw(`s.${runColumn} = r.id`))
        .whereNotExists(
          knex(`${states} as p`)
            .select(knex.raw('1'))
            .whereRaw(`p.id = r.state_id`)
            .whereRaw(`p.${runColumn} = r.id`)
            .whereNotExists(knex(`${states} as n`).select(knex.raw('1')).whereRaw(`n.${runColumn} = r.id`).whereRaw('n.timestamp > p.timestamp')),
        ),
  };
}

export interface ScheduledRunRow {
  id: string;
  deployment_id: string;
  expected_start_time: string;
  idempotency_key: string | null;
  created: string;
}

/** Auto-scheduled Scheduled runs sharing a deployment and start time with another one. */
export async function scheduledRunsSharingATime(ctx: RepositoryContext, knex: Knex | Knex.Transaction): Promise<ScheduledRunRow[]> {
  const {codec} = ctx.db;
  const base = () =>
    knex('flow_run as r').where('r.state_type', 'SCHEDULED').whereNotNull('r.deployment_id').where('r.auto_scheduled', codec.encodeBoolean(true));
  const groups = base().select('r.deployment_id', 'r.expected_start_time').groupBy('r.deployment_id', 'r.expected_start_time').havingRaw('count(*) > 1');
  const rows: Row[] = await base()
    .join(groups.as('g'), (j) => j.on('g.deployment_id', 'r.deployment_id').andOn('g.expected_start_time', 'r.expected_start_time'))
    .select('r.id', 'r.deployment_id', 'r.expected_start_time', 'r.idempotency_key', 'r.created')
    .orderBy(['r.deployment_id', 'r.expected_start_time', 'r.created', 'r.id']);
  return rows.map((row) => ({
    id: codec.decodeUuid(row.id) as string,
    deployment_id: codec.decodeUuid(row.deployment_id) as string,
    expected_start_time: codec.decodeTimestamp(row.expected_start_time) as string,
    idempotency_key: (row.idempotency_key as string | null) ?? null,
    created: codec.decodeTimestamp(row.created) as string,
  }));
}
