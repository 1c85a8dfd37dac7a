import {expect} from 'chai';

import {formatLogLine} from '../../src/render/log-line.js';
import {formatTime} from '../../src/render/time.js';

const NOW = Date.parse('2026-12-07T16:00:00Z');

describe('times for people', () => {
  it('gives an instant of today as a relative time only', () => {
    expect(formatTime('2026-12-07T15:57:00.000000Z', false, NOW)).to.equal('3 minutes ago');
    expect(formatTime('2026-12-07T18:00:00.000000Z', false, NOW)).to.equal('in 2 hours');
  });

  it('puts the UTC date and time in front of an instant of another day, past or future', () => {
    expect(formatTime('2026-11-30T14:02:59.123456Z', false, NOW)).to.equal('2026-11-30 14:02 (7 days ago)');
    expect(formatTime('2026-12-06T23:59:00.000000Z', false, NOW)).to.match(/^2026-12-06 23:59 \(/);
    expect(formatTime('2026-12-09T06:30:00.000000Z', false, NOW)).to.equal('2026-12-09 06:30 (in 1 day)');
  });

  it('--absolute keeps the exact instant', () => {
    expect(formatTime('2026-11-30T14:02:59.123456Z', true, NOW)).to.equal('2026-11-30T14:02:59.123456Z');
  });

  it('dates a log line that is not from today', () => {
    const log = {timestamp: '2026-12-01T09:00:01.234567Z', level: 20, name: 'prefect.flow_runs', message: 'hello'} as Parameters<typeof formatLogLine>[0];
    expect(formatLogLine(log, false, '2026-12-07')).to.equal('2026-12-01 09:00:01.234 | INFO    | prefect.flow_runs - hello');
    expect(formatLogLine(log, false, '2026-12-01')).to.equal('09:00:01.234 | INFO    | prefect.flow_runs - hello');
    expect(formatLogLine(log, true, '2026-12-01')).to.equal('2026-12-01 09:00:01.234 | INFO    | prefect.flow_runs - hello');
  });
});
