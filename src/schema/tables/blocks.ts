import type {Table} from '../types.js';
import {
  BASE_COLUMNS,
  caseInsensitiveNameIndex,
  column,
  EMPTY_LIST,
  EMPTY_OBJECT,
  FALSE,
  indexesOn,
  literal,
  required,
  trigramNameIndex,
} from '../parts.js';

// Block types, their schemas, block documents and the references between them.

export const blockType: Table = {
  name: 'block_type',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    column('logo_url', 'string'),
    column('documentation_url', 'string'),
    column('description', 'string'),
    column('code_example', 'string'),
    required('is_protected', 'boolean', {default: FALSE}),
    required('slug', 'string'),
  ],
  indexes: [
    ...indexesOn('updated'),
    {unique: true, keys: ['slug']},
    caseInsensitiveNameIndex('block_type', 'lost-in-rebuild'),
    trigramNameIndex('block_type'),
  ],
};

export const blockSchema: Table = {
  name: 'block_schema',
  columns: [
    ...BASE_COLUMNS,
    required('fields', 'json', {default: EMPTY_OBJECT}),
    required('checksum', 'string'),
    required('block_type_id', 'uuid'),
    required('capabilities', 'json', {default: EMPTY_LIST}),
    required('version', 'string', {default: literal('non-versioned')}),
  ],
  foreignKeys: [{column: 'block_type_id', references: 'block_type', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('block_type_id', 'created', 'updated'),
    {unique: true, keys: ['checksum', 'version']},
    {keys: ['capabilities'], method: 'gin', only: 'postgres'},
  ],
};

export const blockSchemaReference: Table = {
  name: 'block_schema_reference',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('parent_block_schema_id', 'uuid'),
    required('reference_block_schema_id', 'uuid'),
  ],
  foreignKeys: [
    {column: 'parent_block_schema_id', references: 'block_schema', onDelete: 'CASCADE'},
    {column: 'reference_block_schema_id', references: 'block_schema', onDelete: 'CASCADE'},
  ],
  indexes: indexesOn('updated'),
};

/** Some names still carry the table's legacy name, block. */
export const blockDocument: Table = {
  name: 'block_document',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('data', 'json', {default: EMPTY_OBJECT}),
    required('block_schema_id', 'uuid'),
    required('block_type_id', 'uuid'),
    required('is_anonymous', 'boolean', {default: FALSE}),
    column('block_type_name', 'string'),
  ],
  foreignKeys: [
    {column: 'block_schema_id', references: 'block_schema', onDelete: 'CASCADE', name: 'fk_block__block_schema_id__block_schema'},
    {column: 'block_type_id', references: 'block_type', onDelete: 'CASCADE'},
  ],
  indexes: [
    ...indexesOn('name', 'is_anonymous', 'updated'),
    {name: 'uq_block__type_id_name', unique: true, keys: ['block_type_id', 'name']},
    {name: 'ix_block_document__block_type_name__name', keys: ['block_type_name', 'name']},
    caseInsensitiveNameIndex('block_document', 'nocase'),
    trigramNameIndex('block_document'),
  ],
};

export const blockDocumentReference: Table = {
  name: 'block_document_reference',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('parent_block_document_id', 'uuid'),
    required('reference_block_document_id', 'uuid'),
  ],
  foreignKeys: [
    {column: 'parent_block_document_id', references: 'block_document', onDelete: 'CASCADE'},
    {column: 'reference_block_document_id', references: 'block_document', onDelete: 'CASCADE'},
  ],
  checks: [
    {
      name: 'ck_block_document_reference__no_self_reference',
      expression: 'parent_block_document_id != reference_block_document_id',
    },
  ],
  indexes: indexesOn('updated'),
};

export const BLOCK_TABLES: readonly Table[] = [blockType, blockSchema, blockSchemaReference, blockDocument, blockDocumentReference];
