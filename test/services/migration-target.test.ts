import {expect} from 'chai';

import type {ChainStep} from '../../src/db/migration-chain.js';
import {CliError} from '../../src/errors.js';
import {currentPosition, targetPosition} from '../../src/services/migrations/chain-position.js';
import {SchemaInfo} from '../../src/db/schema-info.js';

/** A chain of the shape loadChain returns; only revision and release matter here. */
function chainOf(steps: Array<[string, string]>): ChainStep[] {
  return steps.map(([revision, release], i) => ({
    name: `${String(i).padStart(2, '0')}_${release}_${revision}`,
    release,
    description: revision,
    revision,
    downRevision: i === 0 ? null : steps[i - 1][0],
    touches: [],
    drops: {tables: [], columns: []},
    file: {} as ChainStep['file'],
  }));
}

const CHAIN = chainOf([
  ['c2d001b7dd06', '2.13.0'],
  ['ef674d598dd3', '2.13.2'],
  ['2ac65f1758c2', '3.0.0'],
  ['f93e1439f022', '3.0.0'],
  ['4ad4658cbefe', '3.0.3'],
  ['5952a5498b51', '3.1.5'],
  ['f416ea180ae1', '3.8.4'],
]);

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const schemaAt = (revision: string | null, tables: string[] = ['alembic_version']) =>
  new SchemaInfo('sqlite', new Map(tables.map((t) => [t, new Set(['id'])])), revision);

describe('migration targets: --to as head, a revision or a Prefect release', () => {
  it('head is the last step; a revision is its own step', () => {
    expect(targetPosition(CHAIN, 'sqlite', 'head')).to.equal(6);
    expect(targetPosition(CHAIN, 'sqlite', 'HEAD')).to.equal(6);
    expect(targetPosition(CHAIN, 'sqlite', '4ad4658cbefe')).to.equal(4);
  });

  it('a release is the last migration it shipped, or the newest before it when it shipped none', () => {
    expect(targetPosition(CHAIN, 'sqlite', '3.0.0')).to.equal(3);
    expect(targetPosition(CHAIN, 'sqlite', '3.1.0')).to.equal(4);
    expect(targetPosition(CHAIN, 'sqlite', '2.13.0')).to.equal(0);
    expect(targetPosition(CHAIN, 'sqlite', '3.8.9')).to.equal(6);
  });

  it('refuses a release or revision before 2.13.0 (exit 4), and names nothing else it does not know (exit 2)', () => {
    expect(refusal(() => targetPosition(CHAIN, 'sqlite', '2.10.5')).exitCode).to.equal(4);
    expect(refusal(() => targetPosition(CHAIN, 'sqlite', '9725c1cbee35')).message).to.match(/older than Prefect 2\.13\.0/);
    expect(refusal(() => targetPosition(CHAIN, 'sqlite', '4.0.0')).exitCode).to.equal(2);
    expect(refusal(() => targetPosition(CHAIN, 'sqlite', 'db0eb3973a54')).exitCode).to.equal(2);
    expect(refusal(() => targetPosition(CHAIN, 'sqlite', 'latest')).message).to.match(/^--to latest: not a sqlite revision/);
  });

  it("places the database in the chain, or refuses it with the reason (exit 4)", () => {
    expect(currentPosition(CHAIN, schemaAt('f93e1439f022'))).to.equal(3);
    expect(refusal(() => currentPosition(CHAIN, schemaAt('3d46e23593d6'))).message).to.match(/older than Prefect 2\.13\.0.*prefect server database upgrade/);
    expect(refusal(() => currentPosition(CHAIN, schemaAt('abcdef123456'))).message).to.match(/abcdef123456.*newer Prefect/);
    expect(refusal(() => currentPosition(CHAIN, schemaAt(null))).message).to.match(/alembic_version is empty/);
    expect(refusal(() => currentPosition(CHAIN, schemaAt(null, []))).message).to.match(/empty, not a Prefect database/);
    expect(refusal(() => currentPosition(CHAIN, schemaAt(null, ['foo']))).message).to.match(/not a Prefect database/);
    for (const revision of ['3d46e23593d6', 'abcdef123456']) expect(refusal(() => currentPosition(CHAIN, schemaAt(revision))).exitCode).to.equal(4);
  });
});
