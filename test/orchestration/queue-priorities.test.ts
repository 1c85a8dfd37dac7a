import {expect} from 'chai';

import {firstFreePriority, reprioritise} from '../../src/orchestration/queue-priorities.js';

const queues = (...priorities: number[]) => priorities.map((priority, i) => ({id: `q${i}`, priority}));

describe('work-queue priorities as Prefect keeps them', () => {
  it('a new queue takes the first gap, else max + 1', () => {
    expect(firstFreePriority([])).to.equal(1);
    expect(firstFreePriority([1, 2, 3])).to.equal(4);
    expect(firstFreePriority([3, 1, 4])).to.equal(2);
    expect(firstFreePriority([2])).to.equal(1);
  });

  it('a taken priority pushes the queues from there down by one, as few as needed', () => {
    // q3 (new, already stored with priority 1) collides with q0.
    const pool = [...queues(1, 2, 5), {id: 'q3', priority: 1}];
    expect(reprioritise(pool, new Map([['q3', 1]]))).to.deep.equal([
      {id: 'q0', priority: 2},
      {id: 'q1', priority: 3},
    ]);
  });

  it('a delete leaves gaps; an empty request changes nothing', () => {
    expect(reprioritise(queues(1, 2, 4), new Map())).to.deep.equal([]);
  });

  it('moving a queue up shifts only the queues between', () => {
    // q2 was moved from 7 to 2 (stored already): q1 (2) shifts to 3, q0 stays.
    const pool = [{id: 'q0', priority: 1}, {id: 'q1', priority: 2}, {id: 'q2', priority: 2}];
    expect(reprioritise(pool, new Map([['q2', 2]]))).to.deep.equal([{id: 'q1', priority: 3}]);
  });
});
