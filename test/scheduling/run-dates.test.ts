import {expect} from 'chai';

import {dateTexts, isoOfDate, schedulerPassDates, windowDates} from '../../src/scheduling/run-dates.js';
import type {IntervalSchedule} from '../../src/scheduling/schedule.js';
import {zonedFromIso} from '../../src/scheduling/zoned-time.js';

const at = (iso: string) => Date.parse(iso);

describe('scheduling/run-dates', () => {
  it('dateTexts: Python str() and Pydantic JSON of a zoned date, offsets across DST, fraction only when present', () => {
    expect(dateTexts(zonedFromIso('2026-01-05T14:00:00Z', 'America/New_York'))).to.deep.equal({python: '2026-01-05 09:00:00-05:00', pydantic: '2026-01-05T09:00:00-05:00'});
    expect(dateTexts(zonedFromIso('2026-07-05T13:00:00Z', 'America/New_York')).python).to.equal('2026-07-05 09:00:00-04:00');
    expect(dateTexts(zonedFromIso('2025-11-11T21:06:12.895082Z', 'UTC'))).to.deep.equal({python: '2025-11-11 21:06:12.895082+00:00', pydantic: '2025-11-11T21:06:12.895082Z'});
    expect(dateTexts(zonedFromIso('2026-03-29T01:30:00Z', 'Asia/Kolkata')).python).to.equal('2026-03-29 07:00:00+05:30');
  });

  const every5: IntervalSchedule = {kind: 'interval', interval: 300, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC'};

  it('windowDates: every date of the window, both ends included, capped by maxRuns', () => {
    const dates = windowDates(every5, at('2026-01-01T00:00:00Z'), at('2026-01-30T23:55:00Z'));
    expect(dates).to.have.length(8640);
    expect(isoOfDate(dates[0])).to.equal('2026-01-01T00:00:00.000000Z');
    expect(isoOfDate(dates[8639])).to.equal('2026-01-30T23:55:00.000000Z');
    expect(windowDates(every5, at('2026-01-01T00:00:00Z'), at('2026-01-30T23:55:00Z'), 7)).to.have.length(7);
    expect(windowDates(every5, at('2026-01-01T00:01:00Z'), at('2026-01-01T00:04:00Z'))).to.have.length(0);
  });

  it("schedulerPassDates: Prefect's minimums (3 runs, 1 hour) and maximums (100 runs, 100 days)", () => {
    const now = at('2026-01-01T00:00:30Z');
    expect(schedulerPassDates(every5, now).map(isoOfDate).at(-1)).to.equal('2026-01-01T01:05:00.000000Z');
    expect(schedulerPassDates({...every5, interval: 86_400}, now)).to.have.length(3);
    expect(schedulerPassDates({...every5, interval: 1}, now)).to.have.length(100);
    expect(schedulerPassDates({...every5, interval: 200 * 86_400}, now)).to.have.length(0);
  });
});
