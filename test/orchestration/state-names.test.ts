import {expect} from 'chai';

import {STATE_TYPES} from '../../src/orchestration/contract.js';
import {canonicalStateName, defaultStateName, parseStateType, stateTypeOfName} from '../../src/orchestration/state-names.js';
import {fullStateDetails, makeState} from '../../src/orchestration/states.js';
import {addSeconds, normalizeIso, toMicros} from '../../src/orchestration/time.js';

describe('state names (prefect/states.py, schemas/states.py)', () => {
  it('default_name_from_type: capitalised type words', () => {
    expect(STATE_TYPES.map(defaultStateName)).to.deep.equal([
      'Scheduled', 'Pending', 'Running', 'Completed', 'Failed', 'Cancelled', 'Crashed', 'Paused', 'Cancelling',
    ]);
  });

  it('infers the type of Prefect\'s named states, case-insensitively', () => {
    const expected = {
      Late: 'SCHEDULED', AwaitingRetry: 'SCHEDULED', AwaitingConcurrencySlot: 'SCHEDULED', Resuming: 'SCHEDULED',
      Submitting: 'PENDING', InfrastructurePending: 'PENDING', NotReady: 'PENDING',
      Retrying: 'RUNNING', Rerunning: 'RUNNING', Cached: 'COMPLETED', RolledBack: 'COMPLETED',
      TimedOut: 'FAILED', Suspended: 'PAUSED', Cancelling: 'CANCELLING', Crashed: 'CRASHED',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(stateTypeOfName(name), name).to.equal(type);
      expect(stateTypeOfName(name.toLowerCase()), name).to.equal(type);
    }
    expect(stateTypeOfName('MadeUp')).to.equal(null);
  });

  it('spells known names canonically and keeps others', () => {
    expect(canonicalStateName('awaitingretry')).to.equal('AwaitingRetry');
    expect(canonicalStateName('running')).to.equal('Running');
    expect(canonicalStateName('My Own')).to.equal('My Own');
  });

  it('parses a state type case-insensitively', () => {
    expect(parseStateType(' cancelling ')).to.equal('CANCELLING');
    expect(parseStateType('late')).to.equal(null);
  });
});

describe('server defaults for a proposed state (schemas/states.py State)', () => {
  it('default_scheduled_start_time: a Scheduled state without scheduled_time is scheduled now', () => {
    const state = makeState('SCHEDULED', '2026-01-10T12:00:00Z');
    expect(state).to.deep.include({name: 'Scheduled', timestamp: '2026-01-10T12:00:00.000000Z', message: null, data: null});
    expect(state.state_details.scheduled_time).to.equal('2026-01-10T12:00:00.000000Z');
  });

  it('StateDetails defaults every field, in Prefect\'s order', () => {
    expect(Object.entries(fullStateDetails({}))).to.deep.equal(Object.entries({
      flow_run_id: null, task_run_id: null, child_flow_run_id: null, scheduled_time: null, cache_key: null,
      cache_expiration: null, deferred: false, untrackable_result: false, pause_timeout: null, pause_reschedule: false,
      pause_key: null, run_input_keyset: null, refresh_cache: null, retriable: null, transition_id: null,
      task_parameters_id: null, traceparent: null, deployment_concurrency_lease_id: null,
    }));
  });

  it('writes detail times ISO with microseconds and Z', () => {
    expect(fullStateDetails({scheduled_time: '2026-01-10 12:00:00.5+01:00'}).scheduled_time).to.equal('2026-01-10T11:00:00.500000Z');
  });
});

describe('microsecond time arithmetic', () => {
  it('keeps microseconds that Date would drop', () => {
    expect(normalizeIso('2026-01-10T12:00:00.123456Z')).to.equal('2026-01-10T12:00:00.123456Z');
    expect(toMicros('2026-01-10T12:00:00.000001Z') - toMicros('2026-01-10T12:00:00Z')).to.equal(1);
    expect(addSeconds('2026-01-10T23:59:59.999999Z', 0.000001)).to.equal('2026-01-11T00:00:00.000000Z');
  });

  it('refuses what is not a time', () => {
    expect(() => toMicros('yesterday')).to.throw(/not an ISO-8601 time/);
  });
});
