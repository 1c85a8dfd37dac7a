import {expect} from 'chai';

import {orchestrateFlowRun, type FlowRunFacts} from '../../src/orchestration/index.js';
import {DEPLOYMENT_ID, flowRun, LIMIT_ID, stored} from './support.js';

describe('the contract, as a caller uses it', () => {
  it('reads facts, asks the engine, and gets the rows to write', () => {
    const facts: FlowRunFacts = flowRun(stored('PENDING'), {
      deployment_id: DEPLOYMENT_ID,
      deployment: {
        id: DEPLOYMENT_ID,
        concurrency_limit_id: LIMIT_ID,
        concurrency_options: {collision_strategy: 'ENQUEUE'},
        global_concurrency_limit: {id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, limit: 1, active_slots: 1, active: true, avg_slot_occupancy_seconds: null},
      },
    });
    let ids = 0;
    const decision = orchestrateFlowRun(facts, {type: 'CRASHED', message: 'zombie'}, 'minimal', {now: '2026-01-10T12:00:00Z', newId: () => `new-${++ids}`});
    expect(decision).to.deep.equal({
      status: 'ACCEPT',
      details: {type: 'accept_details', reason: null},
      write: {
        id: 'new-1',
        type: 'CRASHED',
        name: 'Crashed',
        timestamp: '2026-01-10T12:00:00.000000Z',
        message: 'zombie',
        state_details: {...decision.write!.state_details, flow_run_id: facts.id},
        data: null,
        result_artifact_id: null,
      },
      state: {...decision.write!, data: null},
      columns: {
        state_id: 'new-1',
        state_type: 'CRASHED',
        state_name: 'Crashed',
        state_timestamp: '2026-01-10T12:00:00.000000Z',
        start_time: '2026-01-10T12:00:00.000000Z',
        end_time: '2026-01-10T12:00:00.000000Z',
        expected_start_time: '2026-01-10T12:00:00.000000Z',
      },
      effects: [{kind: 'concurrency_limit_v2_slots', limit_id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, delta: -1}],
    });
  });
});
