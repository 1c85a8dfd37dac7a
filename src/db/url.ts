import {homedir} from 'node:os';
import path from 'node:path';

import {usageError, unavailableError} from '../errors.js';
import type {Dialect} from './dialect.js';

/** Where the database location came from, in resolution order (design §3). */
export type DatabaseSource =
  | '--db'
  | 'PREFECTDB_DATABASE_URL'
  | 'PREFECT_SERVER_DATABASE_CONNECTION_URL'
  | 'PREFECT_API_DATABASE_CONNECTION_URL'
  | 'PREFECT_HOME'
  | 'default (~/.prefect/prefect.db)';

export interface SqliteLocation {
  dialect: 'sqlite';
  filename: string;
}

export interface PostgresLocation {
  dialect: 'postgres';
  connectionString: string;
}

export type DatabaseLocation = SqliteLocation | PostgresLocation;

export type DatabaseTarget = DatabaseLocation & {
  source: DatabaseSource;
  /** Safe to print: passwords replaced by ***. */
  display: string;
};

const URL_ENV_VARS = [
  'PREFECTDB_DATABASE_URL',
  'PREFECT_SERVER_DATABASE_CONNECTION_URL',
  'PREFECT_API_DATABASE_CONNECTION_URL',
] as const;

export function resolveDatabaseTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseTarget {
  if (flag) return describe(parseDatabaseUrl(flag, env), '--db');
  for (const name of URL_ENV_VARS) {
    const value = env[name];
    if (value) return describe(parseDatabaseUrl(value, env), name);
  }
  if (env.PREFECT_HOME) {
    const filename = path.join(expandHome(env.PREFECT_HOME), 'prefect.db');
    return describe({dialect: 'sqlite', filename}, 'PREFECT_HOME');
  }
  const filename = path.join(homedir(), '.prefect', 'prefect.db');
  return describe({dialect: 'sqlite', filename}, 'default (~/.prefect/prefect.db)');
}

/**
 * Accepts what Prefect accepts in its connection-url settings, plus a bare file path:
 * sqlite:///relative, sqlite:////absolute, sqlite+aiosqlite:///…, postgresql://,
 * postgres://, postgresql+asyncpg://….
 */
export function parseDatabaseUrl(raw: string, env: NodeJS.ProcessEnv = process.env): DatabaseLocation {
  const value = substitutePrefectHome(raw.trim(), env);
  if (value === '') throw usageError('the database URL is empty; pass --db PATH|URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) return {dialect: 'sqlite', filename: path.resolve(expandHome(value))};

  const [base] = scheme.split('+');
  if (base === 'sqlite') {
    const rest = value.slice(scheme.length + ':///'.length - 1);
    if (!value.slice(scheme.length).startsWith(':///') || rest === '/') {
      throw unavailableError(`cannot read the SQLite URL "${value}": expected sqlite:///relative/path or sqlite:////absolute/path`);
    }
    const withoutQuery = rest.slice(1).split('?')[0];
    return {dialect: 'sqlite', filename: path.resolve(expandHome(decodeURIComponent(withoutQuery)))};
  }
  if (base === 'postgresql' || base === 'postgres') {
    const connectionString = 'postgres://' + value.slice(scheme.length + '://'.length);
    try {
      new URL(connectionString);
    } catch {
      throw unavailableError(`cannot read the PostgreSQL URL "${redactUrl(value)}": expected postgresql://user:password@host:port/database`);
    }
    return {dialect: 'postgres', connectionString};
  }
  throw unavailableError(
    `unsupported database URL scheme "${scheme}://": prefectdb reads SQLite (a file path or sqlite:///…) and PostgreSQL (postgresql://…)`,
  );
}

export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

function describe(location: DatabaseLocation, source: DatabaseSource): DatabaseTarget {
  const display = location.dialect === 'sqlite' ? location.filename : redactUrl(location.connectionString);
  return {...location, source, display};
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
}

// Prefect's own default URL is written with a ${PREFECT_HOME} placeholder.
function substitutePrefectHome(value: string, env: NodeJS.ProcessEnv): string {
  const home = env.PREFECT_HOME ? expandHome(env.PREFECT_HOME) : path.join(homedir(), '.prefect');
  return value.replaceAll('${PREFECT_HOME}', home);
}

export type {Dialect};
