import type {Database} from '../../db/connection.js';
import type {CopyEndpoint} from './endpoint.js';

export async function openCopyEndpoint(database: Database, role: 'source' | 'target'): Promise<CopyEndpoint> {
  if (database.dialect === 'sqlite') {
    const {SqliteCopyEndpoint} = await import('./sqlite-endpoint.js');
    return SqliteCopyEndpoint.open(database, role);
  }
  const {PostgresCopyEndpoint} = await import('./postgres-endpoint.js');
  return PostgresCopyEndpoint.open(database, role);
}
