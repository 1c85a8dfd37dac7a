import type {Dialect} from './dialect.js';

/**
 * Alembic revisions prefectdb knows, from Prefect 2.13.0 (the oldest it supports) to the
 * head, with the first Prefect release whose tree contains each. SQLite and PostgreSQL use
 * different ids for the same migration. Source: prefect-reference/schema.md §2.3 and §9.
 */
interface RevisionPair {
  sqlite: string;
  postgres: string;
  release: string;
}

const REVISIONS: readonly RevisionPair[] = [
  {sqlite: 'c2d001b7dd06', postgres: '50f8c182c3ca', release: '2.13.0'},
  {sqlite: 'ef674d598dd3', postgres: 'db0eb3973a54', release: '2.13.2'},
  {sqlite: '8167af8df781', postgres: '4e9a6f93eb6c', release: '2.13.2'},
  {sqlite: '05ea6f882b1d', postgres: '05ea6f882b1d', release: '2.13.4'},
  {sqlite: 'f3165ae0a213', postgres: 'bfe653bbf62e', release: '2.13.8'},
  {sqlite: '22ef3915ccd8', postgres: 'cef24af2ec34', release: '2.14.3'},
  {sqlite: 'cef24af2ec34', postgres: 'cef24af2ec34', release: '2.14.3'},
  {sqlite: '9c493c02ca6d', postgres: '9c493c02ca6d', release: '2.14.6'},
  {sqlite: 'a299308852a7', postgres: '733ca1903976', release: '2.14.10'},
  {sqlite: '35659cc49969', postgres: '7c453555d3a5', release: '2.14.10'},
  {sqlite: 'c63a0a6dc787', postgres: '6b63c51c31b4', release: '2.14.14'},
  {sqlite: '265eb1a2da4c', postgres: '8cf4d4933848', release: '2.16.0'},
  {sqlite: '342220764f0b', postgres: '121699507574', release: '2.16.4'},
  {sqlite: 'bacc60edce16', postgres: '7a653837d9ba', release: '2.16.5'},
  {sqlite: '07ed05dfd4ec', postgres: 'aeea5ee6f070', release: '2.16.9'},
  {sqlite: '8644a9595a08', postgres: 'bd6efa529f03', release: '2.17.0'},
  {sqlite: 'cc510aec4689', postgres: '916718e8330f', release: '2.17.0'},
  {sqlite: '2b6c2b548f95', postgres: '954db7517015', release: '2.17.0'},
  {sqlite: '824e9edafa60', postgres: '15768c2ec702', release: '2.17.0'},
  {sqlite: '75c8f17b8b51', postgres: '7ae9e431e67a', release: '2.18.1'},
  {sqlite: 'a8e62d4c72cf', postgres: '8905262ec07f', release: '2.18.2'},
  {sqlite: '20fbd53b3cef', postgres: 'b23c83a12cb4', release: '2.18.2'},
  {sqlite: '2ac65f1758c2', postgres: '94622c1663e8', release: '3.0.0'},
  {sqlite: '354f1ede7e9f', postgres: '7495a5013e7e', release: '3.0.0'},
  {sqlite: 'f93e1439f022', postgres: '97429116795e', release: '3.0.0'},
  {sqlite: '7d6350aea855', postgres: '555ed31b284d', release: '3.0.3'},
  {sqlite: '4ad4658cbefe', postgres: 'eaec5004771f', release: '3.0.3'},
  {sqlite: '5952a5498b51', postgres: '68a44144428d', release: '3.1.5'},
  {sqlite: 'a49711513ad4', postgres: '5d03c01be85e', release: '3.1.6'},
  {sqlite: '67f886da208e', postgres: 'c163acd7e8e3', release: '3.2.0'},
  {sqlite: '07ecde74d74d', postgres: 'a03d00b8e275', release: '3.2.0'},
  {sqlite: '3457c6ca2360', postgres: 'b5f5644500d2', release: '3.2.14'},
  {sqlite: 'bbca16f6f218', postgres: '06b7c293bc69', release: '3.2.15'},
  {sqlite: 'bbca16f6f218', postgres: '7a73514ca2d6', release: '3.3.4'},
  {sqlite: '7655f31c5157', postgres: '4160a4841eed', release: '3.4.0'},
  {sqlite: '3c841a1800a1', postgres: '1c9bb7f78263', release: '3.4.1'},
  {sqlite: 'bb2345678901', postgres: 'aa1234567890', release: '3.4.7'},
  {sqlite: '8bb517bae6f9', postgres: '3b86c5ea017a', release: '3.4.7'},
  {sqlite: '9e83011d1f2a', postgres: '9e83011d1f2a', release: '3.4.19'},
  {sqlite: 'a1b2c3d4e5f7', postgres: 'a1b2c3d4e5f6', release: '3.6.19'},
  {sqlite: '4dfa692e02a7', postgres: '09a9e091e578', release: '3.6.21'},
  {sqlite: '2095de406cbe', postgres: '7218aad17905', release: '3.7.0'},
  {sqlite: '79e7a60e43d8', postgres: 'bad1e352c597', release: '3.7.5'},
  {sqlite: '14806cb26270', postgres: '50737cdaee36', release: '3.8.0'},
  {sqlite: 'f416ea180ae1', postgres: '9e9dadc36797', release: '3.8.4 (unreleased head)'},
];

export interface KnownRevision {
  revision: string;
  dialect: Dialect;
  /** First Prefect release that contains this revision. */
  release: string;
  isHead: boolean;
}

export const HEAD_REVISIONS: Record<Dialect, string> = {sqlite: 'f416ea180ae1', postgres: '9e9dadc36797'};

export function lookupRevision(dialect: Dialect, revision: string): KnownRevision | undefined {
  const pair = REVISIONS.find((r) => r[dialect] === revision);
  if (!pair) return undefined;
  return {revision, dialect, release: pair.release, isHead: revision === HEAD_REVISIONS[dialect]};
}

/**
 * Whether `revision` (of `dialect`) comes at or after the migration `milestoneSqlite` names
 * by its SQLite id: what a Prefect release did depends on it. An unknown revision (a write
 * allowed with --allow-unknown-revision) counts as newer than every known one.
 */
export function revisionAtLeast(dialect: Dialect, revision: string | null, milestoneSqlite: string): boolean {
  const milestone = REVISIONS.findIndex((pair) => pair.sqlite === milestoneSqlite);
  const position = revision === null ? -1 : REVISIONS.findIndex((pair) => pair[dialect] === revision);
  if (milestone < 0) throw new Error(`unknown milestone revision ${milestoneSqlite}`);
  return position < 0 ? revision !== null : position >= milestone;
}

/**
 * The revisions of `toDialect` that are the same migration as `revision` of `fromDialect`:
 * usually one; a few SQLite revisions pair with two PostgreSQL ones.
 */
export function pairedRevisions(fromDialect: Dialect, revision: string, toDialect: Dialect): string[] {
  const paired = REVISIONS.filter((r) => r[fromDialect] === revision).map((r) => r[toDialect]);
  return [...new Set(paired)];
}
