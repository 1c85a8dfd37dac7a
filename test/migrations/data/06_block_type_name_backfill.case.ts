import type {DataCase} from '../../support/data-migration.js';
import {columnsOf, plantedAt} from '../../support/data-migration.js';

// Every block document gets its block type's name. PostgreSQL does it in chain file 05
// (cef24af2ec34, with the column); SQLite adds the column in 05 and backfills in 06
// (22ef3915ccd8). Prefect's downgrades leave the names (SQLite) or drop the column (PostgreSQL).
const TYPES = [
  {id: '7b1e0000-0000-4000-8000-000000000001', name: 'Secret', slug: 'secret'},
  {id: '7b1e0000-0000-4000-8000-000000000002', name: 'S3 Bucket', slug: 's3-bucket'},
];

export const dataCase: DataCase = {
  sqlite: {revision: '22ef3915ccd8', downRevision: 'cef24af2ec34', fixture: '22ef3915ccd8-sqlite.json'},
  postgres: {revision: 'cef24af2ec34', downRevision: 'bfe653bbf62e', fixture: 'cef24af2ec34-postgres.json'},
  async plant(knex, dialect) {
    const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
    await knex('block_type').insert(TYPES.map((type) => ({...at, ...type})));
    await knex('block_schema').insert(
      TYPES.map((type, i) => ({...at, id: `7b1e5c00-0000-4000-8000-00000000000${i + 1}`, checksum: `sha256:${i}`, block_type_id: type.id})),
    );
    const documents = [];
    for (let i = 0; i < 5; i++) {
      const type = i % 2;
      documents.push({
        ...at,
        id: `7b1ed000-0000-4000-8000-00000000000${i}`,
        name: `doc-${i}`,
        block_type_id: TYPES[type].id,
        block_schema_id: `7b1e5c00-0000-4000-8000-00000000000${type + 1}`,
        is_anonymous: i === 4 ? 1 : 0,
      });
    }
    await knex('block_document').insert(documents);
  },
  async read(knex, dialect) {
    const wanted = ['id', 'name', 'block_type_id', 'block_type_name'];
    const present = new Set(await columnsOf(knex, dialect, 'block_document'));
    return knex('block_document').select(wanted.filter((column) => present.has(column))).orderBy('id');
  },
};
