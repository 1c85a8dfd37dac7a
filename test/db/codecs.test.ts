import {expect} from 'chai';
import Database from 'better-sqlite3';

import type {LogicalType} from '../../src/db/codecs/codec.js';
import {formatIsoInstant, formatSqliteInstant, parseInstant} from '../../src/db/codecs/instant.js';
import {canonicalJson, jsonText, numberValue, parseJsonText} from '../../src/db/codecs/json-text.js';
import {PostgresCodec} from '../../src/db/codecs/postgres-codec.js';
import {SqliteCodec} from '../../src/db/codecs/sqlite-codec.js';
import {openDatabase, type Database as PrefectDatabase} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {CliError} from '../../src/errors.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres, type LoadedFixture} from '../support/postgres-fixtures.js';

const sqlite = new SqliteCodec();
const postgres = new PostgresCodec();

/**
 * Prefect's plain sa.JSON columns (schema.md §4 "JSON"): Python None is stored as the JSON
 * text 'null' instead of SQL NULL, so they encode with 'json_plain'.
 */
const PLAIN_JSON_COLUMNS = new Set([
  'artifact.data',
  'artifact.metadata_',
  'artifact_collection.data',
  'artifact_collection.metadata_',
  'event_resources.resource',
]);

interface SqliteColumn {
  table: string;
  column: string;
  declaredType: string;
}

function sqliteColumns(db: Database.Database): SqliteColumn[] {
  return db
    .prepare(
      `select m.name as "table", p.name as "column", upper(p.type) as declaredType
         from sqlite_master m join pragma_table_info(m.name) p
        where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'
        order by m.name, p.cid`,
    )
    .all() as SqliteColumn[];
}

/** The logical type of a column, from its SQLite declared type (the interval is DATETIME too). */
function logicalTypeOf({table, column, declaredType}: SqliteColumn): LogicalType {
  if (column === 'total_run_time') return 'interval';
  if (declaredType === 'DATETIME') return 'timestamp';
  if (declaredType === 'JSON') return PLAIN_JSON_COLUMNS.has(`${table}.${column}`) ? 'json_plain' : 'json';
  if (declaredType === 'BOOLEAN') return 'boolean';
  if (declaredType === 'CHAR(36)') return 'uuid';
  if (declaredType === 'INTEGER' || declaredType === 'SMALLINT') return 'integer';
  if (declaredType === 'FLOAT') return 'float';
  return 'string';
}

describe('SQLite codec round trip over real Prefect databases', () => {
  after(removeTempDirs);

  for (const fixture of PREFECT_FIXTURES) {
    describe(fixture, () => {
      let db: Database.Database;
      let columns: SqliteColumn[];

      before(() => {
        db = new Database(copyFixture(fixture), {readonly: true});
        columns = sqliteColumns(db);
      });

      after(() => db.close());

      /** Every non-null stored value of the columns of one logical type, with where it came from. */
      function storedValues(types: LogicalType[]): Array<{where: string; raw: unknown; type: LogicalType}> {
        const values: Array<{where: string; raw: unknown; type: LogicalType}> = [];
        for (const column of columns) {
          const type = logicalTypeOf(column);
          if (!types.includes(type)) continue;
          const raws = db.prepare(`select "${column.column}" from "${column.table}" where "${column.column}" is not null`).pluck().all();
          for (const raw of raws) values.push({where: `${column.table}.${column.column}`, raw, type});
        }
        return values;
      }

      it('re-encodes every timestamp to the exact stored text', () => {
        const values = storedValues(['timestamp']);
        expect(values).to.not.be.empty;
        for (const {where, raw} of values) {
          expect(sqlite.encodeTimestamp(sqlite.decodeTimestamp(raw)), where).to.equal(raw);
        }
      });

      it('re-encodes every total_run_time interval to the exact stored text', () => {
        const values = storedValues(['interval']);
        expect(values).to.not.be.empty;
        for (const {where, raw} of values) {
          expect(sqlite.encodeInterval(sqlite.decodeInterval(raw)), where).to.equal(raw);
        }
      });

      it('re-encodes every boolean to the stored integer', () => {
        const values = storedValues(['boolean']);
        expect(values).to.not.be.empty;
        for (const {where, raw} of values) {
          expect(sqlite.encodeBoolean(sqlite.decodeBoolean(raw)!), where).to.equal(raw);
        }
      });

      it('re-encodes every JSON text exactly as json.dumps wrote it, floats such as 0.0 included', () => {
        const values = storedValues(['json', 'json_plain']);
        expect(values).to.not.be.empty;
        let integralFloats = 0;
        for (const {where, raw, type} of values) {
          // NUMERIC affinity could store a scalar as a number; the real databases hold only text.
          expect(raw, where).to.be.a('string');
          const text = raw as string;
          expect(sqlite.encodeJson(sqlite.decodeJson(text), type as 'json' | 'json_plain'), where).to.equal(text);
          if (/\d\.0\b/.test(text)) integralFloats++;
        }
        // The case a plain JSON.parse would lose: every fixture stores 0.0-style floats.
        expect(integralFloats).to.be.greaterThan(0);
      });
    });
  }
});

describe('timestamp codecs', () => {
  it('reads offsets, taking a value without one as UTC', () => {
    expect(sqlite.decodeTimestamp('2024-01-02 03:04:05.123456')).to.equal('2024-01-02T03:04:05.123456Z');
    expect(sqlite.decodeTimestamp('2024-01-02T03:04:05Z')).to.equal('2024-01-02T03:04:05.000000Z');
    expect(sqlite.decodeTimestamp('2024-01-02T03:04:05.5+01:00')).to.equal('2024-01-02T02:04:05.500000Z');
    expect(sqlite.decodeTimestamp('2024-01-01T23:30:00-05:30')).to.equal('2024-01-02T05:00:00.000000Z');
    expect(sqlite.decodeTimestamp('2024-01-02T03:04:05+0530')).to.equal('2024-01-01T21:34:05.000000Z');
    // PostgreSQL's timestamptz text with TIME ZONE 'UTC'.
    expect(postgres.decodeTimestamp('2024-01-02 03:04:05.123456+00')).to.equal('2024-01-02T03:04:05.123456Z');
  });

  it('reads 1 to 9 fractional digits, truncating past microseconds as Python does', () => {
    const expected = ['100000', '120000', '123000', '123400', '123450', '123456', '123456', '123456', '123456'];
    for (let digits = 1; digits <= 9; digits++) {
      const fraction = '123456789'.slice(0, digits);
      expect(sqlite.decodeTimestamp(`2024-01-02T03:04:05.${fraction}Z`), `${digits} digits`).to.equal(
        `2024-01-02T03:04:05.${expected[digits - 1]}Z`,
      );
    }
  });

  it("writes SQLite's naive-UTC six-digit form and PostgreSQL's ISO form", () => {
    expect(sqlite.encodeTimestamp('2024-01-02T05:04:05.12+02:00')).to.equal('2024-01-02 03:04:05.120000');
    expect(postgres.encodeTimestamp('2024-01-02 03:04:05.000001')).to.equal('2024-01-02T03:04:05.000001Z');
    expect(sqlite.encodeTimestamp(null)).to.equal(null);
  });

  it('reads canonical SQLite and ISO text by position, to the same instant as the general form', () => {
    expect(sqlite.decodeTimestamp('2024-02-29 23:59:59.000001')).to.equal('2024-02-29T23:59:59.000001Z');
    expect(sqlite.decodeInterval('1970-01-02 00:00:26.333166')).to.equal(86426.333166);
    expect(sqlite.encodeTimestamp('2026-12-31T23:59:59.999999Z')).to.equal('2026-12-31 23:59:59.999999');
    for (const missing of ['2023-02-29 00:00:00.000000', '2026-04-31T00:00:00.000000Z', '0050-01-01 00:00:00.000000']) {
      expect(() => parseInstant(missing), missing).to.throw(CliError);
    }
  });

  it('rejects text that is not a timestamp, and calendar dates that do not exist, as bad input (exit 2)', () => {
    for (const text of ['yesterday', '2024-01-02T03:04:05.123Zulu', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z']) {
      expect(() => sqlite.decodeTimestamp(text), text).to.throw(CliError).with.property('exitCode', 2);
    }
  });
});

describe('instant formatting', () => {
  /** What Date's UTC fields give: the reference the arithmetic formatter must agree with. */
  const viaDate = (seconds: number, micros: number) => {
    const d = new Date(seconds * 1000);
    const p = (v: number, w: number) => String(v).padStart(w, '0');
    return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1, 2)}-${p(d.getUTCDate(), 2)}T${p(d.getUTCHours(), 2)}:${p(d.getUTCMinutes(), 2)}:${p(d.getUTCSeconds(), 2)}.${p(micros, 6)}Z`;
  };

  it('agrees with Date on leap days, century years, the epoch and the ends of four-digit years', () => {
    const days = ['1000-01-01', '1582-10-15', '1600-02-29', '1899-12-31', '1900-02-28', '1900-03-01', '1969-12-31', '1970-01-01', '2000-02-29', '2024-02-29', '2100-03-01', '9999-12-31'];
    for (const day of days) {
      for (const secondOfDay of [0, 1, 59, 3599, 43_200, 86_399]) {
        const seconds = Date.parse(`${day}T00:00:00Z`) / 1000 + secondOfDay;
        for (const micros of [0, 1, 999_999, 123_456]) {
          expect(formatIsoInstant({seconds, micros}), `${day} +${secondOfDay}s ${micros}µs`).to.equal(viaDate(seconds, micros));
        }
      }
    }
  });

  it('agrees with Date on a hundred thousand random instants, and outside four-digit years', () => {
    const low = Date.parse('0900-01-01T00:00:00Z') / 1000;
    const high = Date.parse('+010100-01-01T00:00:00Z') / 1000;
    for (let n = 0; n < 100_000; n++) {
      const seconds = Math.floor(low + Math.random() * (high - low));
      const micros = Math.floor(Math.random() * 1e6);
      expect(formatIsoInstant({seconds, micros})).to.equal(viaDate(seconds, micros));
    }
    expect(formatSqliteInstant({seconds: 0, micros: 5})).to.equal('1970-01-01 00:00:00.000005');
  });
});

describe('interval codecs', () => {
  it('reads and writes SQLite intervals as offsets from the epoch, past one day', () => {
    expect(sqlite.decodeInterval('1970-01-01 00:00:07.048749')).to.equal(7.048749);
    expect(sqlite.decodeInterval('1970-01-02 03:04:05.500000')).to.equal(97_445.5);
    expect(sqlite.encodeInterval(97_445.5)).to.equal('1970-01-02 03:04:05.500000');
    expect(sqlite.encodeInterval(0)).to.equal('1970-01-01 00:00:00.000000');
  });

  it("reads the schema default '0', which SQLite's affinity stores as the integer 0", () => {
    expect(sqlite.decodeInterval(0)).to.equal(0);
  });

  it("reads PostgreSQL's interval text, days and fractions included", () => {
    expect(postgres.decodeInterval('1 day 02:03:04.5')).to.equal(93_784.5);
    expect(postgres.decodeInterval('00:00:07.048749')).to.equal(7.048749);
    expect(postgres.decodeInterval('3 days')).to.equal(259_200);
    expect(postgres.decodeInterval('26:03:04.5')).to.equal(93_784.5);
  });

  it('refuses negative or non-finite durations', () => {
    for (const codec of [sqlite, postgres]) {
      expect(() => codec.encodeInterval(-1)).to.throw(CliError);
      expect(() => codec.encodeInterval(Number.NaN)).to.throw(CliError);
    }
  });
});

describe('JSON codecs', () => {
  it('writes NaN and ±Infinity as null, as Prefect sanitises them', () => {
    const value = {a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], c: 1.5};
    expect(sqlite.encodeJson(value)).to.equal('{"a": null, "b": [null, null], "c": 1.5}');
    expect(postgres.encodeJson(value)).to.equal('{"a": null, "b": [null, null], "c": 1.5}');
  });

  it('reads the bare NaN/Infinity tokens Python can emit as null', () => {
    expect(sqlite.decodeJson('{"a": NaN, "b": [-Infinity, Infinity]}')).to.deep.equal({a: null, b: [null, null]});
  });

  it('escapes non-ASCII and control characters as \\uXXXX, as json.dumps(ensure_ascii=True) does', () => {
    // Expected text produced by Python 3: json.dumps({'name': 'café ╔ 😀 \x7f', 'ключ': 'x\n"\t/'})
    expect(sqlite.encodeJson({name: 'café ╔ 😀 \u007f', ключ: 'x\n"\t/'})).to.equal(
      '{"name": "caf\\u00e9 \\u2554 \\ud83d\\ude00 \\u007f", "\\u043a\\u043b\\u044e\\u0447": "x\\n\\"\\t/"}',
    );
  });

  it("writes floats outside Python's plain-notation range in Python's exponent form", () => {
    // Python: json.dumps([1e-05, 1.5e-07, 0.0001, -2.5e-10])
    expect(sqlite.encodeJson([1e-5, 1.5e-7, 0.0001, -2.5e-10])).to.equal('[1e-05, 1.5e-07, 0.0001, -2.5e-10]');
  });

  it("stores None as SQL NULL in Prefect's JSON columns and as the text 'null' in plain sa.JSON ones", () => {
    for (const codec of [sqlite, postgres]) {
      expect(codec.encodeJson(null, 'json'), codec.dialect).to.equal(null);
      expect(codec.encodeJson(null, 'json_plain'), codec.dialect).to.equal('null');
      expect(codec.encode('json_plain', null), codec.dialect).to.equal('null');
    }
  });

  it('reads JSON scalars that SQLite stored as numbers (NUMERIC affinity), integers past 2^53 exactly', () => {
    expect(sqlite.decodeJson(5)).to.equal(5);
    expect(sqlite.decodeJson(5.5)).to.equal(5.5);
    expect(jsonText(sqlite.decodeJson(BigInt('9007199254740993')))).to.equal('9007199254740993');
  });

  it('decodes and re-encodes every number as written: integers of any size, floats as Python spells them', () => {
    // Python: json.dumps({"a": 12345678901234567890123, "b": 9007199254740993, "c": -9223372036854775809,
    //   "d": 1.0, "e": 1e22, "f": [0.0, -0.0, 2.5, 1e-07, 1234567890123456.0], "g": 7})
    const text =
      '{"a": 12345678901234567890123, "b": 9007199254740993, "c": -9223372036854775809, "d": 1.0, "e": 1e+22, "f": [0.0, -0.0, 2.5, 1e-07, 1234567890123456.0], "g": 7}';
    for (const codec of [sqlite, postgres]) {
      const decoded = codec === sqlite ? sqlite.decodeJson(text) : parseJsonText(text);
      expect(codec.encodeJson(decoded), codec.dialect).to.equal(text);
      expect(jsonText(decoded), codec.dialect).to.equal(text.replaceAll(', ', ',').replaceAll(': ', ':'));
    }
  });

  it("writes a number given in another spelling as Python's json.dumps would after json.loads", () => {
    const given = parseJsonText('[1E5, 2.50, 1e22, 0.0000001, -0, 100000000000000000000000000001]');
    expect(sqlite.encodeJson(given)).to.equal('[100000.0, 2.5, 1e+22, 1e-07, 0, 100000000000000000000000000001]');
  });

  it('keeps plain numbers plain, so the engine and schedules compute with them', () => {
    const value = parseJsonText('{"retries": 3, "delay": 1.5, "interval": 3600.0, "big": 9007199254740993}') as Record<string, unknown>;
    expect(value.retries).to.equal(3);
    expect(value.delay).to.equal(1.5);
    expect(numberValue(value.interval)).to.equal(3600);
    expect(String(value.big)).to.equal('9007199254740993');
  });

  it('keeps every number exact when a string also holds digits after a colon (a time in state_details)', () => {
    const text = '{"scheduled_time": "2026-12-05T01:10:00Z", "retry_delay": 30.0, "n": [-12345678901234567, 7]}';
    expect(jsonText(parseJsonText(text))).to.equal('{"scheduled_time":"2026-12-05T01:10:00Z","retry_delay":30.0,"n":[-12345678901234567,7]}');
    expect(jsonText(parseJsonText('{"at": "T01:10:00Z", "n": 7}'))).to.equal('{"at":"T01:10:00Z","n":7}');
  });

  it('writes kept numbers and bigints as their digits, in both layouts, and a user key named isLosslessNumber unchanged', () => {
    const value = {kept: parseJsonText('[1.0]'), big: 12345678901234567890n, user: {isLosslessNumber: true}};
    expect(jsonText(value)).to.equal('{"kept":[1.0],"big":12345678901234567890,"user":{"isLosslessNumber":true}}');
    expect(jsonText(value, 2)).to.equal('{\n  "kept": [\n    1.0\n  ],\n  "big": 12345678901234567890,\n  "user": {\n    "isLosslessNumber": true\n  }\n}');
    expect(jsonText({text: '"isLosslessNumber": 1'})).to.equal('{"text":"\\"isLosslessNumber\\": 1"}');
  });

  it('compares JSON by value: key order, 1 and 1.0, 1e+22 and its digits alike; 2^53 and 2^53+1 not', () => {
    expect(canonicalJson(parseJsonText('{"b": 1, "a": 1e+22}'))).to.equal(canonicalJson(parseJsonText('{"a": 10000000000000000000000, "b": 1.0}')));
    expect(canonicalJson(parseJsonText('[9007199254740993]'))).to.not.equal(canonicalJson(parseJsonText('[9007199254740992]')));
  });
});

describe('boolean codecs', () => {
  it('writes 0/1 on SQLite and native booleans on PostgreSQL, and reads either', () => {
    expect([sqlite.encodeBoolean(true), sqlite.encodeBoolean(false)]).to.deep.equal([1, 0]);
    expect([postgres.encodeBoolean(true), postgres.encodeBoolean(false)]).to.deep.equal([true, false]);
    expect([0, 1, '1', 'true', false, null].map((raw) => sqlite.decodeBoolean(raw))).to.deep.equal([false, true, true, true, false, null]);
  });
});

/** The tables whose every column is compared between the dialects. */
const CROSS_DIALECT_TABLES = ['flow', 'flow_run', 'flow_run_state', 'task_run', 'log', 'deployment', 'work_pool', 'block_schema'];

if (testDialects().includes('postgres')) {
  describe('the same fixture read through openDatabase on SQLite and on PostgreSQL', () => {
    after(removeTempDirs);

    for (const fixture of PREFECT_FIXTURES) {
      describe(fixture, () => {
        let loaded: LoadedFixture | undefined;
        let onSqlite: PrefectDatabase | undefined;
        let onPostgres: PrefectDatabase | undefined;
        let columns: SqliteColumn[];

        before(async function () {
          await requirePostgres(this);
          const file = copyFixture(fixture);
          const raw = new Database(file, {readonly: true});
          columns = sqliteColumns(raw);
          raw.close();
          loaded = await loadFixtureIntoPostgres(file);
          onSqlite = await openDatabase(resolveDatabaseTarget(file));
          onPostgres = await openDatabase(resolveDatabaseTarget(loaded.url));
        });

        after(async () => {
          await onSqlite?.knex.destroy();
          await onPostgres?.knex.destroy();
          await loaded?.drop();
        });

        async function decodedRows(db: PrefectDatabase, table: string): Promise<Map<string, Record<string, unknown>>> {
          const tableColumns = columns.filter((c) => c.table === table);
          const rows: Array<Record<string, unknown>> = await db.knex(table).select('*');
          const byId = new Map<string, Record<string, unknown>>();
          for (const row of rows) {
            const decoded: Record<string, unknown> = {};
            for (const column of tableColumns) decoded[column.column] = db.codec.decode(logicalTypeOf(column), row[column.column]);
            byId.set(decoded.id as string, decoded);
          }
          return byId;
        }

        for (const table of CROSS_DIALECT_TABLES) {
          it(`${table}: every column decodes to the same domain value`, async () => {
            const fromSqlite = await decodedRows(onSqlite!, table);
            const fromPostgres = await decodedRows(onPostgres!, table);
            expect([...fromPostgres.keys()].sort()).to.deep.equal([...fromSqlite.keys()].sort());
            for (const [id, row] of fromSqlite) expect(fromPostgres.get(id), `${table} ${id}`).to.deep.equal(row);
          });
        }
      });
    }
  });
}
