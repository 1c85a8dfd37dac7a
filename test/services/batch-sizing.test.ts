import {expect} from 'chai';

import {FIRST_BATCH_SIZE, ItemCost, nextBatchSize} from '../../src/services/batches.js';

describe('batch sizes follow the measured cost per item', () => {
  const limits = {minSize: 10, maxSize: 500, targetMs: 500};

  it('fits half the lock budget, grows at most twofold, stays within its bounds', () => {
    expect(nextBatchSize(1, 64, limits)).to.equal(128); // 250 would fit: doubling caps it
    expect(nextBatchSize(1, 200, limits)).to.equal(250); // half of 500 ms at 1 ms an item
    expect(nextBatchSize(10, 64, limits)).to.equal(25);
    expect(nextBatchSize(100, 64, limits)).to.equal(10); // never below the minimum
    expect(nextBatchSize(0.01, 400, limits)).to.equal(500); // never above the maximum
  });

  it('follows a slower batch at once and a faster one only halfway', () => {
    const cost = new ItemCost();
    expect(cost.record(64, 64)).to.equal(1);
    expect(cost.record(400, 100)).to.equal(4);
    expect(cost.record(100, 100)).to.equal(2.5);
  });

  for (const [perItemMs, settles] of [[4, 62], [12, 20]] as const) {
    it(`keeps batches of ${perItemMs} ms an item under the target from the first one on`, () => {
      // At 12 ms an item (a slow or busy machine) the old first batch of 64 would have held the lock 768 ms.
      const cost = new ItemCost();
      let size = FIRST_BATCH_SIZE;
      for (let batch = 0; batch < 10; batch++) {
        const elapsed = size * perItemMs;
        expect(elapsed, `batch ${batch} of ${size}`).to.be.at.most(limits.targetMs);
        size = nextBatchSize(cost.record(elapsed, size), size, limits);
      }
      expect(size).to.equal(settles);
    });
  }
});
