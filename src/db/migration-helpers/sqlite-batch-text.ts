/**
 * Pieces of the CREATE TABLE text alembic's batch mode writes on SQLite, shared by the chain
 * files that rebuild a table: the rebuilt text must match Prefect's byte for byte, and these
 * pieces come out the same in every rebuild.
 */
export const sqliteBatchText = {
  /**
   * Prefect's random-UUID column default as a batch rebuild re-renders it: reflected from the
   * old table, so the outer parentheses merge and the first line break goes.
   */
  uuidDefault: `((
        lower(hex(randomblob(4)))
        || '-'
        || lower(hex(randomblob(2)))
        || '-4'
        || substr(lower(hex(randomblob(2))),2)
        || '-'
        || substr('89ab',abs(random()) % 4 + 1, 1)
        || substr(lower(hex(randomblob(2))),2)
        || '-'
        || lower(hex(randomblob(6)))
    ))`,

  /**
   * The same, rebuilt from a table of Prefect's early migrations, whose default text carried a
   * space at the end of each line.
   */
  uuidDefaultSpaced: `((
        lower(hex(randomblob(4))) 
        || '-' 
        || lower(hex(randomblob(2))) 
        || '-4' 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || substr('89ab',abs(random()) % 4 + 1, 1) 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || lower(hex(randomblob(6)))
    ))`,

  /** The same default as a plain CREATE TABLE from a migration script writes it. */
  uuidDefaultFresh: `(
    (
        lower(hex(randomblob(4)))
        || '-'
        || lower(hex(randomblob(2)))
        || '-4'
        || substr(lower(hex(randomblob(2))),2)
        || '-'
        || substr('89ab',abs(random()) % 4 + 1, 1)
        || substr(lower(hex(randomblob(2))),2)
        || '-'
        || lower(hex(randomblob(6)))
    )
    )`,

  /** Prefect's timestamp default, as both kinds of CREATE TABLE write it. */
  nowDefault: "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))",
};
