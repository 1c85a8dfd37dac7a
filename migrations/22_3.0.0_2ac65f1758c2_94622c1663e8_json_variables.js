// Prefect 3.0.0: a variable's value becomes JSON. Each old string value becomes a JSON string
// (Python's json.dumps of it); downgrading turns each JSON value back into text as Prefect's
// script does in Python: json.loads on SQLite, str() of the decoded value on PostgreSQL.

export const migration = {
  release: '3.0.0',
  description: "variable.value becomes JSON: each string value turned into a JSON string",
  sqlite: {revision: '2ac65f1758c2', downRevision: '20fbd53b3cef'},
  postgres: {revision: '94622c1663e8', downRevision: 'b23c83a12cb4'},
  touches: {sqlite: ['variable'], postgres: ['variable']},
};

const KEPT_COLUMNS = ['id', 'created', 'updated', 'name', 'tags'];

function variableTable({uuidDefault, nowDefault}, valueColumn) {
  return `CREATE TABLE "variable" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\t${valueColumn}, 
\tCONSTRAINT pk_variable PRIMARY KEY (id), 
\tCONSTRAINT uq_variable__name UNIQUE (name)
)`;
}

/** Alembic's batch rebuild: the old value column goes, the converted one takes its name at the end. */
async function replaceSqliteValue(knex, kit, convertedColumn, valueColumn) {
  const text = kit.sqliteBatchText;
  await kit.rebuildSqliteTable(knex, {
    table: 'variable',
    createSql: variableTable(text, valueColumn),
    copy: {...kit.copyColumns(KEPT_COLUMNS), value: `"${convertedColumn}"`},
    indexes: ['CREATE INDEX ix_variable__updated ON variable (updated)'],
  });
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    // to_jsonb of a text is the JSON string Python's json.dumps writes, once stored as jsonb.
    await knex.raw('ALTER TABLE variable ADD COLUMN json_value JSONB');
    await knex.raw('UPDATE variable SET json_value = to_jsonb(value)');
    await knex.raw('ALTER TABLE variable DROP COLUMN value');
    await knex.raw('ALTER TABLE variable RENAME COLUMN json_value TO value');
    return;
  }
  await knex.raw('ALTER TABLE variable ADD COLUMN json_value JSON');
  const rows = await knex.raw('SELECT id, name, value FROM variable');
  for (const row of rows) {
    if (typeof row.value !== 'string') throw kit.refuse(`variable ${row.name} (${row.id}): its value is not text, and Prefect's upgrade cannot convert it either`);
    await knex.raw('UPDATE variable SET json_value = ? WHERE id = ?', [kit.pythonJsonDumps(row.value), row.id]);
  }
  await replaceSqliteValue(knex, kit, 'json_value', 'value JSON');
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE variable ADD COLUMN string_value VARCHAR');
    const rows = await knex.raw('SELECT id, value::text AS value FROM variable');
    for (const row of rows.rows) {
      // Python's str(None) for an empty value, like the JSON null.
      const text = row.value === null ? 'None' : kit.pythonStrOfJson(row.value);
      await knex.raw('UPDATE variable SET string_value = ? WHERE id = ?', [text, row.id]);
    }
    await knex.raw('ALTER TABLE variable DROP COLUMN value');
    await knex.raw('ALTER TABLE variable RENAME COLUMN string_value TO value');
    await knex.raw('ALTER TABLE variable ALTER COLUMN value SET NOT NULL');
    return;
  }
  await knex.raw('ALTER TABLE variable ADD COLUMN string_value VARCHAR');
  // Whole numbers are stored as integers in the JSON column and read back the same everywhere.
  await knex.raw("UPDATE variable SET string_value = value WHERE typeof(value) = 'integer'");
  for (const row of await sqliteRowsToConvert(knex)) {
    const converted = sqliteOldValue(row);
    if ('blocker' in converted) throw kit.refuse(converted.blocker);
    await knex.raw('UPDATE variable SET string_value = ? WHERE id = ?', [converted.text, row.id]);
  }
  await replaceSqliteValue(knex, kit, 'string_value', 'value VARCHAR NOT NULL');
}

/**
 * Prefect's SQLite downgrade stops on a value that json.loads does not turn into a string,
 * number or boolean: an empty value, null, an object, a list or text that is not JSON.
 * (Its PostgreSQL downgrade writes Python's text of any value, so nothing blocks there.)
 * @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit
 */
export async function downBlockers(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') return [];
  return (await sqliteRowsToConvert(knex))
    .map(sqliteOldValue)
    .filter((converted) => 'blocker' in converted)
    .map((converted) => converted.blocker);
}

async function sqliteRowsToConvert(knex) {
  return knex.raw("SELECT id, name, value, typeof(value) AS kind FROM variable WHERE typeof(value) <> 'integer' ORDER BY name");
}

const INT64 = {min: -(2n ** 63n), max: 2n ** 63n - 1n};

/**
 * A float as SQLite writes it into a text column, in the 15 significant digits of the SQLite
 * Prefect's reference run used ("%!.15g": 1.0e+100, 0.1, 1.23456789012346e+22); newer SQLite
 * releases write up to 17 digits instead.
 */
function sqliteRealText(value) {
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
  if (value === 0) return '0.0';
  const [mantissa, exponentText] = value.toExponential(14).split('e');
  const exponent = Number(exponentText);
  const trim = (digits) => (digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '.0') : `${digits}.0`);
  if (exponent < -4 || exponent >= 15) return `${trim(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return trim(value.toFixed(14 - exponent));
}

/** What json.loads(value) gives, as the text the old column receives, or why it cannot. */
function sqliteOldValue(row) {
  const blocked = (why) => ({blocker: `variable ${row.name} (${row.id}): ${why}; the old schema holds only a string, number or boolean`});
  if (row.kind === 'real') return {text: sqliteRealText(row.value)};
  if (row.kind === 'null') return blocked('its value is empty');
  if (row.kind !== 'text') return blocked('its value is not JSON text');
  const trimmed = row.value.trim();
  // Python's json.loads also reads these.
  if (trimmed === 'Infinity' || trimmed === '-Infinity') return {text: trimmed === 'Infinity' ? 'Inf' : '-Inf'};
  let parsed;
  try {
    parsed = JSON.parse(row.value);
  } catch {
    return blocked(`its value ${JSON.stringify(row.value.slice(0, 40))} is not JSON`);
  }
  if (typeof parsed === 'string') {
    if (/\p{Cs}/u.test(parsed.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) return blocked('its string holds a lone surrogate, which cannot be stored');
    return {text: parsed};
  }
  // Python binds True and False as 1 and 0.
  if (typeof parsed === 'boolean') return {text: parsed ? '1' : '0'};
  if (typeof parsed === 'number') {
    if (!/^-?\d+$/.test(trimmed)) return {text: sqliteRealText(parsed)};
    const whole = BigInt(trimmed);
    if (whole < INT64.min || whole > INT64.max) return blocked('its integer is too large for SQLite');
    return {text: whole.toString()};
  }
  if (parsed === null) return blocked('its value is null');
  return blocked(`its value is ${Array.isArray(parsed) ? 'a list' : 'an object'}`);
}
