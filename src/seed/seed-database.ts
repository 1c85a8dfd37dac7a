import type {Database} from '../db/connection.js';
import {HEAD_REVISIONS} from '../db/revisions.js';
import {readSchemaInfo, type SchemaInfo} from '../db/schema-info.js';
import {refusedError} from '../errors.js';
import {initDatabase} from '../services/database-init.js';
import {blockRegistrationRows, type BlockRows} from './block-types.js';
import {buildCatalogue, type Catalogue, type Row} from './catalogue.js';
import {type SeedOptions, validateSeedOptions} from './options.js';
import {planSeed} from './plan.js';
import {SeededRandom} from './random.js';
import {emptyRunRows, RunRowFactory, type RunRows} from './run-rows.js';
import {SeedWriter} from './seed-writer.js';
import {isoOf} from './time.js';
import {runTimeline} from './timeline.js';
import {uuid4} from './uuid.js';
import type {ProgressListener} from '../services/progress.js';

const STEPS = ['creating the schema', 'writing block types, flows, deployments and work pools', 'writing flow runs', 'analyzing'];

// Flow runs per transaction: each batch (~25 rows per run with the defaults) commits on
// its own, keeping write locks short for a live server sharing the file.
const FLOW_RUNS_PER_BATCH = 1000;

export interface SeedResult {
  database: string;
  dialect: string;
  initialised: boolean;
  appended: boolean;
  seed: number;
  now: string;
  flow_runs: number;
  tables: Record<string, number>;
  rows: number;
  elapsed_seconds: number;
  rows_per_second: number;
}

export interface SeedRequest extends SeedOptions {
  append: boolean;
}

/**
 * Fills a database with generated Prefect data: initialises an empty one first, refuses
 * one that already has flow runs unless appending, writes the catalogue, then streams the
 * flow runs in atomic batches. An interrupted seed leaves whole batches behind.
 */
export async function seedDatabase(db: Database, schema: SchemaInfo, request: SeedRequest, onProgress?: ProgressListener): Promise<SeedResult> {
  validateSeedOptions(request);
  const started = performance.now();
  let initialised = false;
  // Steps in the order they happen (only PostgreSQL is analyzed); the flow runs take longest.
  const stepCount = db.dialect === 'postgres' ? STEPS.length : STEPS.length - 1;
  const stepLabel = (index: number) => `${STEPS[index]} (step ${index + 1} of ${stepCount})`;
  const step = (index: number) => onProgress?.({label: stepLabel(index)});
  if (schema.kind !== 'prefect' || schema.createdByPrefectdb) {
    step(0);
    initialised = (await initDatabase(db, schema)).action === 'created';
    schema = await readSchemaInfo(db.knex, db.dialect);
  }
  assertHeadRevision(db, schema);

  const existingRuns = await countRows(db, 'flow_run');
  if (existingRuns > 0 && !request.append) {
    throw refusedError(
      `refusing to seed: ${db.target.display} already holds ${existingRuns.toLocaleString('en-US')} flow runs (pass --append to add more, or seed a new database)`,
    );
  }
  // Appending with the same --seed must not mint the same ids again.
  const seed = existingRuns > 0 ? SeededRandom.derive(request.seed, `append:${existingRuns}`).uint32() : request.seed;
  const options: SeedOptions = {...request, seed};

  const plan = planSeed(options, SeededRandom.derive(seed, 'plan'));
  const taken = {flows: await namesIn(db, 'flow'), workPools: await namesIn(db, 'work_pool')};
  const catalogue = buildCatalogue(plan, options.now, SeededRandom.derive(seed, 'catalogue'), taken);

  const blockSlugs: Array<{slug: string}> = await db.knex('block_type').select('slug');
  const blocks = blockRegistrationRows(options.now, SeededRandom.derive(seed, 'blocks'), new Set(blockSlugs.map((row) => row.slug)));

  const writer = new SeedWriter(db);
  step(1);
  await writeCatalogue(writer, catalogue, blocks);

  const factory = new RunRowFactory(catalogue, plan, options.now, options.taskRunsPerFlowRun, options.logsPerRun, SeededRandom.derive(seed, 'runs'));
  const collections = {ids: SeededRandom.derive(seed, 'artifact-collections'), keys: new Set<string>()};
  let produced = 0;
  let batch = emptyRunRows();
  const runsLabel = stepLabel(2);
  const runsDone = () => onProgress?.({label: runsLabel, done: produced, total: options.flowRuns, unit: 'flow runs'});
  runsDone();
  for (const slot of runTimeline(plan, options.now, SeededRandom.derive(seed, 'timeline'))) {
    factory.addFlowRun(slot, batch);
    produced++;
    if (batch.flow_run.length >= FLOW_RUNS_PER_BATCH) {
      await writeRuns(writer, batch, collections);
      batch = emptyRunRows();
      runsDone();
    }
  }
  await writeRuns(writer, batch, collections);
  if (collections.keys.size > 0) writer.counts.set('artifact_collection', collections.keys.size);
  runsDone();
  if (produced !== options.flowRuns) throw new Error(`internal error: planned ${options.flowRuns} flow runs but generated ${produced}`);
  // A bulk load leaves PostgreSQL without statistics until autovacuum comes by, and until
  // then it plans seq scans. Prefect never runs ANALYZE on SQLite (it would add sqlite_stat1).
  if (db.dialect === 'postgres') {
    step(3);
    await db.knex.raw('analyze');
  }

  const elapsed = (performance.now() - started) / 1000;
  return {
    database: db.target.display,
    dialect: db.dialect,
    initialised,
    appended: existingRuns > 0,
    seed: request.seed,
    now: isoOf(options.now),
    flow_runs: produced,
    tables: Object.fromEntries([...writer.counts].sort(([a], [b]) => a.localeCompare(b))),
    rows: writer.totalRows,
    elapsed_seconds: Math.round(elapsed * 1000) / 1000,
    rows_per_second: Math.round(writer.totalRows / Math.max(elapsed, 1e-3)),
  };
}

function assertHeadRevision(db: Database, schema: SchemaInfo): void {
  const head = HEAD_REVISIONS[db.dialect];
  if (schema.revision === head) return;
  throw refusedError(
    `refusing to seed: the database is at alembic revision ${schema.revision ?? '(none)'}, and db seed writes Prefect's head schema (${head}); seed a new database instead`,
  );
}

async function writeCatalogue(writer: SeedWriter, catalogue: Catalogue, blocks: BlockRows): Promise<void> {
  const {rows} = catalogue;
  await writer.transaction(async (trx) => {
    await writer.insert(trx, 'block_type', blocks.block_type);
    await writer.insert(trx, 'block_schema', blocks.block_schema);
    await writer.insert(trx, 'block_schema_reference', blocks.block_schema_reference);
    const defaultQueues = await writer.insert(trx, 'work_pool', rows.work_pool, 'default_queue_id');
    await writer.insert(trx, 'work_queue', rows.work_queue);
    await writer.link(trx, defaultQueues);
    await writer.insert(trx, 'worker', rows.worker);
    await writer.insert(trx, 'flow', rows.flow);
    await writer.insert(trx, 'deployment', rows.deployment);
    await writer.insert(trx, 'deployment_schedule', rows.deployment_schedule);
  });
}

interface Collections {
  ids: SeededRandom;
  /** Every artifact key written: one artifact_collection row each. */
  keys: Set<string>;
}

async function writeRuns(writer: SeedWriter, batch: RunRows, collections: Collections): Promise<void> {
  if (batch.flow_run.length === 0) return;
  await writer.transaction(async (trx) => {
    const currentStates = await writer.insert(trx, 'flow_run', batch.flow_run, 'state_id');
    await writer.insert(trx, 'flow_run_state', batch.flow_run_state);
    await writer.link(trx, currentStates);
    // task_run.state_id has no foreign key (Prefect dropped it), so no link is needed.
    await writer.insert(trx, 'task_run', batch.task_run);
    await writer.insert(trx, 'task_run_state', batch.task_run_state);
    await writer.insert(trx, 'log', batch.log);
    await writer.insert(trx, 'artifact', batch.artifact);
    const latest = latestPerKey(batch.artifact, collections.ids);
    await writer.upsertNewer(trx, 'artifact_collection', latest, 'key', ['id', 'created']);
    for (const row of latest) collections.keys.add(row.key as string);
  });
}

/** artifact_collection rows as Prefect upserts them on each keyed artifact: the latest per key. */
function latestPerKey(artifacts: Row[], random: SeededRandom): Row[] {
  const latest = new Map<string, Row>();
  for (const artifact of artifacts) {
    if (artifact.key === null) continue;
    const current = latest.get(artifact.key as string);
    if (!current || (artifact.created as string) >= (current.created as string)) latest.set(artifact.key as string, artifact);
  }
  return [...latest.values()].map((artifact) => ({
    id: uuid4(random),
    created: artifact.created,
    updated: artifact.updated,
    key: artifact.key,
    latest_id: artifact.id,
    task_run_id: artifact.task_run_id,
    flow_run_id: artifact.flow_run_id,
    type: artifact.type,
    data: artifact.data,
    description: artifact.description,
    metadata_: artifact.metadata_,
  }));
}

async function countRows(db: Database, table: string): Promise<number> {
  const [{count}] = await db.knex(table).count({count: '*'});
  return Number(count);
}

async function namesIn(db: Database, table: string): Promise<Set<string>> {
  const rows: Array<{name: string}> = await db.knex(table).select('name');
  return new Set(rows.map((row) => row.name));
}
