import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {readOffThread} from '../../src/db/off-thread.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {copyFixture, createPostgresDatabase, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres} from '../support/dialects.js';

// A statement that keeps SQLite busy for a while: long enough that a query sent after it
// on the pool's connection must come back first if the two really run side by side.
const SLOW_COUNT = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) select count(*) as rows from n';

describe('reading a statement in a thread of its own (SQLite; PostgreSQL has no such reader)', function () {
  this.timeout(60_000);
  let db: Database;

  before(async () => {
    db = await openDatabase(resolveDatabaseTarget(copyFixture(PREFECT_FIXTURES[0])));
  });
  after(async () => {
    await db.knex.destroy();
    removeTempDirs();
  });

  it('gives the rows of the statement, integers exact past 2^53', async () => {
    const rows = await readOffThread(db, 'select 9007199254740993 as big, 42 as small, (select count(*) from sqlite_master) > 0 as tables');
    expect(rows).to.deep.equal([{big: 9007199254740993n, small: 42, tables: 1}]);
  });

  it('binds parameters as the pool connection does', async () => {
    const rows = await readOffThread(db, 'select ? as text, ? as flag, ? as missing, ? as number', ['a\'b', true, null, 2.5]);
    expect(rows).to.deep.equal([{text: "a'b", flag: 1, missing: null, number: 2.5}]);
  });

  it('leaves this thread and the pool connection free while it runs', async () => {
    const order: string[] = [];
    const slow = (readOffThread(db, SLOW_COUNT) as Promise<unknown>).then(() => order.push('reader thread'));
    await db.knex.raw('select count(*) from flow').then(() => order.push('pool connection'));
    await slow;
    expect(order).to.deep.equal(['pool connection', 'reader thread']);
  });

  it('reports a failing statement as an error naming the cause', async () => {
    let error: unknown;
    await (readOffThread(db, 'select * from no_such_table') as Promise<unknown>).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/no such table: no_such_table/);
  });

  it('stops the thread when the work it was part of is given up', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const reading = readOffThread(db, SLOW_COUNT.replace('3000000', '300000000'), [], stop.signal) as Promise<unknown>;
    setTimeout(() => stop.abort(), 50);
    let error: unknown;
    await reading.catch((e: unknown) => (error = e));
    expect(error, 'the read ends in an error').to.be.instanceOf(Error);
    expect(Date.now() - started).to.be.below(10_000);
  });

  it('declines a PostgreSQL database, whose queries never block this thread anyway', async function () {
    await requirePostgres(this);
    const {url, drop} = await createPostgresDatabase('offthread');
    const pgDb = await openDatabase(resolveDatabaseTarget(url), {create: true});
    try {
      expect(readOffThread(pgDb, 'select 1')).to.equal(undefined);
    } finally {
      await pgDb.knex.destroy();
      await drop();
    }
  });
});
