import {expect} from 'chai';
import {homedir} from 'node:os';
import path from 'node:path';

import {parseDatabaseUrl, redactUrl, resolveDatabaseTarget} from '../../src/db/url.js';
import {CliError} from '../../src/errors.js';

describe('database URL resolution', () => {
  it('follows the documented order: flag, PREFECTDB_DATABASE_URL, Prefect settings, PREFECT_HOME, default', () => {
    const env = {
      PREFECTDB_DATABASE_URL: '/tmp/a.db',
      PREFECT_SERVER_DATABASE_CONNECTION_URL: '/tmp/b.db',
      PREFECT_API_DATABASE_CONNECTION_URL: '/tmp/c.db',
      PREFECT_HOME: '/tmp/home',
    };
    expect(resolveDatabaseTarget('/tmp/flag.db', env)).to.include({source: '--db', filename: '/tmp/flag.db'});
    expect(resolveDatabaseTarget(undefined, env)).to.include({source: 'PREFECTDB_DATABASE_URL', filename: '/tmp/a.db'});
    const {PREFECTDB_DATABASE_URL: _a, ...withoutOwn} = env;
    expect(resolveDatabaseTarget(undefined, withoutOwn)).to.include({source: 'PREFECT_SERVER_DATABASE_CONNECTION_URL'});
    const {PREFECT_SERVER_DATABASE_CONNECTION_URL: _b, ...apiOnly} = withoutOwn;
    expect(resolveDatabaseTarget(undefined, apiOnly)).to.include({source: 'PREFECT_API_DATABASE_CONNECTION_URL'});
    expect(resolveDatabaseTarget(undefined, {PREFECT_HOME: '/tmp/home'})).to.include({
      source: 'PREFECT_HOME',
      filename: '/tmp/home/prefect.db',
    });
    expect(resolveDatabaseTarget(undefined, {})).to.include({filename: path.join(homedir(), '.prefect', 'prefect.db')});
  });

  it('reads every SQLite URL form Prefect accepts', () => {
    expect(parseDatabaseUrl('sqlite:////abs/prefect.db')).to.deep.equal({dialect: 'sqlite', filename: '/abs/prefect.db'});
    expect(parseDatabaseUrl('sqlite+aiosqlite:////abs/p.db')).to.deep.equal({dialect: 'sqlite', filename: '/abs/p.db'});
    expect(parseDatabaseUrl('sqlite:///rel/p.db')).to.deep.equal({dialect: 'sqlite', filename: path.resolve('rel/p.db')});
    expect(parseDatabaseUrl('./x.db')).to.deep.equal({dialect: 'sqlite', filename: path.resolve('x.db')});
    expect(parseDatabaseUrl('sqlite+aiosqlite:///${PREFECT_HOME}/prefect.db', {PREFECT_HOME: '/h'})).to.deep.equal({
      dialect: 'sqlite',
      filename: '/h/prefect.db',
    });
  });

  it('normalises PostgreSQL URLs, including the asyncpg driver suffix', () => {
    expect(parseDatabaseUrl('postgresql+asyncpg://u:p@h:5433/db')).to.deep.equal({
      dialect: 'postgres',
      connectionString: 'postgres://u:p@h:5433/db',
    });
    expect(parseDatabaseUrl('postgres://h/db')).to.deep.equal({dialect: 'postgres', connectionString: 'postgres://h/db'});
  });

  it('never prints a password', () => {
    expect(redactUrl('postgresql://user:s3cret@host:5432/db')).to.equal('postgresql://user:***@host:5432/db');
    expect(resolveDatabaseTarget('postgresql://user:s3cret@host/db', {}).display).to.not.contain('s3cret');
  });

  it('rejects unsupported schemes as database-unavailable (exit 5)', () => {
    expect(() => parseDatabaseUrl('mysql://root@localhost/prefect'))
      .to.throw(CliError, /unsupported database URL scheme/)
      .with.property('exitCode', 5);
  });
});
