import {expect} from 'chai';

import {orchestrateFlowRun} from '../../src/orchestration/index.js';
import {flowRun, NOW, stored, testEnv} from './support.js';

describe('orchestration engine (skeleton)', () => {
  it('forces a Running state on a Pending run with the global bookkeeping', () => {
    const decision = orchestrateFlowRun(flowRun(stored('PENDING')), {type: 'RUNNING'}, 'minimal', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.id).to.equal('id-1');
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'RUNNING',
      state_name: 'Running',
      state_timestamp: NOW,
      run_count: 1,
      start_time: NOW,
      expected_start_time: NOW,
    });
  });
});
