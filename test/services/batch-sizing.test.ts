import {expect} from 'chai';
import type {Knex} from 'knex';

import {type BatchSource, takeChunks} from '../../src/services/batches.js';
import {ChunkCost, FIRST_CHUNK_SIZE, ItemCost, LockPacing} from '../../src/services/lock-pacing.js';

const limits = {minSize: 10, maxSize: 500, targetMs: 500};
const noTransaction = undefined as unknown as Knex.Transaction;

/** A source that never runs dry, and work whose cost is whatever `costOf` says, on a fake clock. */
function fakeWork(costOf: (chunk: number, items: number) => number) {
  const clock = {now: 0};
  const chunks: number[] = [];
  const source: BatchSource<number> = {next: async (_trx, size) => Array.from({length: size}, (_, i) => i)};
  const apply = async (_trx: Knex.Transaction, items: number[]) => {
    clock.now += costOf(chunks.length, items.length);
    chunks.push(items.length);
  };
  /** Runs `batches` batches; returns how long each held the lock and how many items it took. */
  const run = async (pacing: LockPacing, batches: number) => {
    const held: Array<{ms: number; items: number}> = [];
    for (let batch = 0; batch < batches; batch++) {
      const started = clock.now;
      const {taken} = await takeChunks(noTransaction, {source, apply}, pacing, limits.maxSize, () => clock.now);
      held.push({ms: clock.now - started, items: taken});
    }
    return held;
  };
  return {chunks, run};
}

describe('batches hold the lock within their budget by construction', () => {
  it('probes with a small first chunk, then sizes chunks to an eighth of the budget, growing at most twofold', () => {
    const pacing = new LockPacing(limits);
    expect(pacing.chunkSize(500)).to.equal(FIRST_CHUNK_SIZE);
    pacing.record(16, 16); // 1 ms an item: 62 would fit an eighth of 500 ms
    expect(pacing.chunkSize(500)).to.equal(32);
    pacing.record(32, 32);
    expect(pacing.chunkSize(500)).to.equal(62);
    expect(pacing.chunkSize(40)).to.equal(40); // never more than the batch has room for
    pacing.record(62 * 100, 62); // 100 ms an item
    expect(pacing.chunkSize(500)).to.equal(10); // never below the minimum
  });

  it('takes another chunk only while it and the commit are predicted to end within half the budget', () => {
    const pacing = new LockPacing(limits);
    pacing.record(50, 50); // 1 ms an item
    expect(pacing.mayTakeChunk(200, 100, 50)).to.equal(true);
    expect(pacing.mayTakeChunk(201, 100, 50)).to.equal(false);
    pacing.recordCommit(20, 200); // 0.1 ms an item
    expect(pacing.mayTakeChunk(185, 100, 50)).to.equal(true); // 185 + 50 + 15
    expect(pacing.mayTakeChunk(186, 100, 50)).to.equal(false);
  });

  it('follows a slower chunk at once and a faster one only halfway', () => {
    const cost = new ItemCost();
    expect(cost.record(64, 64)).to.equal(1);
    expect(cost.record(400, 100)).to.equal(4);
    expect(cost.record(100, 100)).to.equal(2.5);
  });

  it('keeps a batch within budget when one chunk runs five times slower than measured', async () => {
    // Every 7th chunk is a 5x spike (cold pages): a pre-sized batch planned at half the budget overran it at 2x.
    const work = fakeWork((chunk, items) => items * (chunk % 7 === 6 ? 5 : 1));
    const held = await work.run(new LockPacing(limits), 40);
    for (const [batch, {ms}] of held.entries()) expect(ms, `batch ${batch}`).to.be.at.most(limits.targetMs);
    expect(work.chunks.some((size, chunk) => chunk % 7 === 6 && size >= 40)).to.equal(true);
  });

  it('commits right after a chunk that overran the plan', async () => {
    const work = fakeWork((chunk, items) => items * (chunk === 5 ? 20 : 1));
    const held = await work.run(new LockPacing(limits), 3);
    expect(work.chunks.slice(0, 5)).to.deep.equal([16, 32, 62, 62, 62]);
    // Chunk 5 (62 items at 20 ms each) alone takes 1,240 ms: nothing is added to it.
    expect(held[1]).to.deep.equal({ms: 1240, items: 62});
    expect(work.chunks[6]).to.equal(limits.minSize); // and starts again small
  });

  it('fills the planned half of the budget at a steady cost, fixed cost per call included', async () => {
    // 5 ms per apply call (the engine's lookups) plus 1 ms an item.
    const work = fakeWork((_chunk, items) => 5 + items);
    const held = await work.run(new LockPacing(limits), 20);
    for (const {ms, items} of held.slice(1)) {
      expect(ms).to.be.within(limits.targetMs * (3 / 8), limits.targetMs / 2);
      expect(items).to.be.at.least(limits.targetMs * (3 / 8) * 0.9);
    }
  });

  it('grows chunks where the fixed cost per call is large, so that it stays a third of a chunk at most', async () => {
    // 70 ms per call (PostgreSQL planning a delete's statements) plus 0.3 ms an item: chunks of an
    // eighth of the budget would be all fixed cost.
    const work = fakeWork((_chunk, items) => 70 + items * 0.3);
    const held = await work.run(new LockPacing(limits), 10);
    // From minimum chunks, a chunk twice the last tells the fixed cost apart; chunks then double up to their size.
    expect(work.chunks.slice(0, 9)).to.deep.equal([16, 13, 10, 20, 40, 80, 160, 320, 466]);
    for (const {ms, items} of held.slice(4)) {
      expect(ms).to.be.at.most(limits.targetMs / 2);
      expect(items).to.be.at.least(400);
    }
  });

  it('fits the fixed cost per call apart from the cost per item', () => {
    const cost = new ChunkCost();
    cost.record(70 + 16 * 0.3, 16);
    cost.record(70 + 32 * 0.3, 32);
    expect(cost.fixedMs).to.be.closeTo(70, 0.001);
    expect(cost.predict(100)).to.be.closeTo(100, 1);
    cost.record(70 + 32 * 0.3, 32); // same size again: nothing new about the fixed part
    expect(cost.fixedMs).to.be.closeTo(70, 0.001);
  });

  it('takes one chunk of the minimum when even that is slower than the plan', async () => {
    const work = fakeWork((_chunk, items) => items * 60);
    const held = await work.run(new LockPacing(limits), 3);
    expect(held.map((batch) => batch.items)).to.deep.equal([16, 10, 10]);
  });

  it('stops at the end of the source or of the room it was given', async () => {
    const pacing = new LockPacing({...limits, maxSize: 20});
    const list = [1, 2, 3, 4, 5];
    let position = 0;
    const source: BatchSource<number> = {next: async (_trx, size) => list.slice(position, (position += size))};
    const first = await takeChunks(noTransaction, {source, apply: async () => {}}, pacing, 3, () => 0);
    expect(first).to.deep.equal({taken: 3, exhausted: false});
    const rest = await takeChunks(noTransaction, {source, apply: async () => {}}, pacing, 20, () => 0);
    expect(rest).to.deep.equal({taken: 2, exhausted: true});
  });
});
