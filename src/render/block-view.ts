import type {BlockDocumentRecord} from '../repositories/blocks.js';
import type {DetailView} from './view.js';

/** How `block inspect` shows a document; the block write commands print what they wrote the same way. */
export function blockDocumentView(block: BlockDocumentRecord): DetailView {
  const blockSchema = block.block_schema;
  return {
    id: block.id,
    record: block,
    sections: (fmt) => [
      {
        fields: [
          ['ID', block.id],
          ['Block', `${block.block_type?.slug ?? ''}/${block.name}`],
          ['Type', block.block_type_name ?? ''],
          ['Anonymous', block.is_anonymous ? 'yes' : 'no'],
          ['Created', fmt.time(block.created)],
          ['Updated', fmt.time(block.updated)],
          ['Schema', blockSchema?.checksum ?? block.block_schema_id],
          ['Schema version', blockSchema?.version ?? ''],
          ['Capabilities', (blockSchema?.capabilities ?? []).join(', ')],
        ],
      },
      {
        title: 'Data',
        headers: ['FIELD', 'VALUE'],
        rows: Object.entries(block.data).map(([field, value]) => [field, fmt.text(value)]),
      },
      {
        title: 'Referenced blocks',
        headers: ['FIELD', 'ID', 'BLOCK'],
        rows: Object.entries(block.block_document_references).map(([field, {block_document: ref}]) => [
          field,
          ref.id,
          `${ref.block_type?.slug ?? ''}/${ref.name}`,
        ]),
      },
    ],
  };
}
