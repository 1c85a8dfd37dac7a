import {HEAD_ENUMS} from './enums.js';
import {ARTIFACT_TABLES} from './tables/artifacts.js';
import {AUTOMATION_TABLES} from './tables/automations.js';
import {BLOCK_TABLES} from './tables/blocks.js';
import {DEPLOYMENT_TABLES} from './tables/deployments.js';
import {MISC_TABLES} from './tables/misc.js';
import {RUN_TABLES} from './tables/runs.js';
import {WORK_POOL_TABLES} from './tables/work-pools.js';
import type {Catalogue, Column} from './types.js';

/**
 * Prefect's schema at its head alembic revision, both dialects: the single source from
 * which `db init` generates DDL and the codecs learn each column's type.
 */
export const headCatalogue: Catalogue = {
  enums: HEAD_ENUMS,
  tables: [
    ...MISC_TABLES,
    ...RUN_TABLES,
    ...DEPLOYMENT_TABLES,
    ...WORK_POOL_TABLES,
    ...BLOCK_TABLES,
    ...ARTIFACT_TABLES,
    ...AUTOMATION_TABLES,
  ],
};

const columnsByTable = new Map(
  headCatalogue.tables.map((table) => [table.name, new Map(table.columns.map((column) => [column.name, column]))]),
);

/** Called for every decoded value, hence the prebuilt maps. */
export function findColumn(table: string, column: string): Column | undefined {
  return columnsByTable.get(table)?.get(column);
}
