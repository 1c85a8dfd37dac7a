import catalogue from './prefect-block-catalogue.json' with {type: 'json'};
import type {Row} from './catalogue.js';
import type {SeededRandom} from './random.js';
import {isoOf, type Micros} from './time.js';
import {uuid4} from './uuid.js';

/**
 * The block types, schemas and schema references a Prefect server registers on its first
 * start (the protected system blocks, the blocks Prefect itself defines and those of the
 * collections it auto-registers), so `block create secret/…` works on a seeded database.
 * prefect-block-catalogue.json holds the rows as a Prefect 3.6 server wrote them into the
 * newest fixture database (test/fixtures/prefect-dbs/prefect-3.x-9e83011d1f2a.db), less
 * their ids and times, which are made fresh here.
 */
export interface BlockRows {
  block_type: Row[];
  block_schema: Row[];
  block_schema_reference: Row[];
}

/**
 * Rows for the block types whose slugs are not taken yet, as Prefect's registration skips
 * what is already there (a schema is known by checksum and version).
 */
export function blockRegistrationRows(now: Micros, random: SeededRandom, takenSlugs: ReadonlySet<string>): BlockRows {
  const stamp = isoOf(now);
  const typeIds = new Map<string, string>();
  const block_type: Row[] = [];
  for (const type of catalogue.block_types) {
    if (takenSlugs.has(type.slug)) continue;
    const id = uuid4(random);
    typeIds.set(type.slug, id);
    block_type.push({id, created: stamp, updated: stamp, ...type});
  }
  const schemaIds = new Map<string, string>();
  const block_schema: Row[] = [];
  for (const {block_type_slug, ...schema} of catalogue.block_schemas) {
    const blockTypeId = typeIds.get(block_type_slug);
    if (blockTypeId === undefined) continue;
    const id = uuid4(random);
    schemaIds.set(`${schema.checksum} ${schema.version}`, id);
    block_schema.push({id, created: stamp, updated: stamp, block_type_id: blockTypeId, ...schema});
  }
  const block_schema_reference: Row[] = [];
  for (const reference of catalogue.block_schema_references) {
    const parent = schemaIds.get(`${reference.parent_checksum} ${reference.parent_version}`);
    const target = schemaIds.get(`${reference.reference_checksum} ${reference.reference_version}`);
    if (parent === undefined || target === undefined) continue;
    block_schema_reference.push({
      id: uuid4(random),
      created: stamp,
      updated: stamp,
      name: reference.name,
      parent_block_schema_id: parent,
      reference_block_schema_id: target,
    });
  }
  return {block_type, block_schema, block_schema_reference};
}
