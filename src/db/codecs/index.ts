import type {Dialect} from '../dialect.js';
import type {Codec} from './codec.js';
import {PostgresCodec} from './postgres-codec.js';
import {SqliteCodec} from './sqlite-codec.js';

export type {Codec, LogicalType} from './codec.js';

const codecs: Record<Dialect, Codec> = {
  sqlite: new SqliteCodec(),
  postgres: new PostgresCodec(),
};

export function codecFor(dialect: Dialect): Codec {
  return codecs[dialect];
}
