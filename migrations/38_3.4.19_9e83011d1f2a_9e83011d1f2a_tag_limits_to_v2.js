// Prefect 3.4.19: tag concurrency limits (V1) become global limits named `tag:<tag>` (V2),
// keeping their ids, limits and timestamps; the V1 rows are deleted. Prefect also hands the
// slots a V1 limit held to its lease storage, which by default lives in the server's memory
// and never reaches the database, so nothing of them is written here either: a migrated
// limit counts the slots as taken (active_slots) but names no holder.

export const migration = {
  release: '3.4.19',
  description: 'Move tag concurrency limits (V1) to V2 limits named tag:<tag>; delete the V1 rows',
  sqlite: {revision: '9e83011d1f2a', downRevision: '8bb517bae6f9'},
  postgres: {revision: '9e83011d1f2a', downRevision: '3b86c5ea017a'},
  touches: {sqlite: ['concurrency_limit'], postgres: ['concurrency_limit']},
};

/** How many slots a V1 row holds, counted as Prefect's len() counts its active_slots value. */
function heldSlots(activeSlots, kit) {
  const value = typeof activeSlots === 'string' ? (activeSlots === '' ? null : JSON.parse(activeSlots)) : activeSlots;
  if (!value) return 0;
  if (Array.isArray(value) || typeof value === 'string') return value.length;
  if (typeof value === 'object') return Object.keys(value).length;
  throw kit.refuse(`a tag concurrency limit holds ${JSON.stringify(value)} as its active slots, which is not a list`);
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const active = kit.dialectOf(knex) === 'postgres' ? 'true' : '1';
  const limits = await knex('concurrency_limit').select('id', 'tag', 'active_slots');
  for (const limit of limits) {
    // A V2 limit already named tag:<tag> wins; the V1 row then just goes.
    const existing = await knex('concurrency_limit_v2').where({name: `tag:${limit.tag}`}).first('id');
    if (existing) continue;
    // Copied in SQL so timestamps keep their exact stored values.
    await knex.raw(
      `INSERT INTO concurrency_limit_v2
         (id, name, "limit", active, active_slots, denied_slots, slot_decay_per_second, avg_slot_occupancy_seconds, created, updated)
       SELECT id, ?, concurrency_limit, ${active}, ?, 0, 0.0, 600.0, created, updated FROM concurrency_limit WHERE id = ?`,
      [`tag:${limit.tag}`, heldSlots(limit.active_slots, kit), limit.id],
    );
  }
  await knex('concurrency_limit').delete();
}

// LIKE as Prefect's own query has it (on SQLite it ignores case, so TAG:x moves too).
const MIGRATED = "name LIKE 'tag:%'";

/**
 * Prefect's downgrade inserts every tag: limit back into concurrency_limit; a V1 row already
 * there with the same id or tag makes that insert fail.
 * @param {import('knex').Knex} knex
 */
export async function downBlockers(knex) {
  const clashes = await knex.raw(
    `SELECT v1.id, v1.tag, v2.name FROM concurrency_limit v1
       JOIN concurrency_limit_v2 v2 ON (v2.id = v1.id OR substr(v2.name, 5) = v1.tag) AND v2.${MIGRATED}
      ORDER BY v1.tag`,
  );
  const rows = Array.isArray(clashes) ? clashes : clashes.rows;
  return rows.map(
    (row) => `tag concurrency limit ${row.tag} (id ${row.id}) already exists beside the global limit ${row.name} that would be restored as it; delete one of them first`,
  );
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  // Which slots were held lived in lease storage, not in the database: they come back empty.
  const noSlots = kit.dialectOf(knex) === 'postgres' ? "'[]'::jsonb" : "'[]'";
  await knex.raw(
    `INSERT INTO concurrency_limit (id, tag, concurrency_limit, active_slots, created, updated)
     SELECT id, substr(name, 5), "limit", ${noSlots}, created, updated FROM concurrency_limit_v2 WHERE ${MIGRATED}`,
  );
  await knex.raw(`DELETE FROM concurrency_limit_v2 WHERE ${MIGRATED}`);
}
