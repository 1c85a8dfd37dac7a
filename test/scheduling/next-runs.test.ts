import {expect} from 'chai';

import {describeSchedule, describeSeconds} from '../../src/scheduling/describe.js';
import {nextRunTimes} from '../../src/scheduling/next-runs.js';
import {parseSchedule} from '../../src/scheduling/schedule.js';

/** Next run times of a stored schedule object from an ISO start, or the error text. */
function runs(stored: unknown, startIso: string, count: number): string[] {
  const result = nextRunTimes(parseSchedule(stored), Date.parse(startIso), count);
  if (result.error !== null) throw new Error(result.error);
  return result.times;
}

const iso = (text: string) => new Date(text).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('schedule run times', () => {
  describe('interval', () => {
    it('steps from the anchor and keeps its microseconds (the real fixture schedule)', () => {
      const stored = {interval: 86400.0, anchor_date: '2025-11-10T21:06:12.895082Z', timezone: 'UTC'};
      expect(runs(stored, '2026-01-01T00:00:00Z', 2)).to.deep.equal(['2026-01-01T21:06:12.895082Z', '2026-01-02T21:06:12.895082Z']);
    });

    it('includes a date exactly at the start', () => {
      const stored = {interval: 3600, anchor_date: '2025-01-01T00:00:00Z', timezone: 'UTC'};
      expect(runs(stored, '2025-01-01T05:00:00Z', 1)).to.deep.equal([iso('2025-01-01T05:00:00Z')]);
    });

    it('an hourly interval steps in UTC: two "1 am" runs when New York falls back', () => {
      const stored = {interval: 3600, anchor_date: '2025-01-01T00:00:00Z', timezone: 'America/New_York'};
      // 01:00 EDT (05:00Z), 01:00 EST (06:00Z), 02:00 EST (07:00Z)
      expect(runs(stored, '2025-11-02T04:30:00Z', 3)).to.deep.equal(
        ['2025-11-02T05:00:00Z', '2025-11-02T06:00:00Z', '2025-11-02T07:00:00Z'].map(iso),
      );
    });

    it('a daily interval keeps its local hour when New York springs forward', () => {
      const stored = {interval: 86400, anchor_date: '2025-01-01T14:00:00Z', timezone: 'America/New_York'};
      // 09:00 EST on the 8th, 09:00 EDT from the 9th on
      expect(runs(stored, '2025-03-07T15:00:00Z', 3)).to.deep.equal(
        ['2025-03-08T14:00:00Z', '2025-03-09T13:00:00Z', '2025-03-10T13:00:00Z'].map(iso),
      );
    });

    it("jumps from the anchor in absolute time first, as Prefect does (winter anchor read in summer → 10:00 EDT)", () => {
      const stored = {interval: 86400, anchor_date: '2025-01-01T14:00:00Z', timezone: 'America/New_York'};
      expect(runs(stored, '2025-07-01T12:00:00Z', 2)).to.deep.equal(['2025-07-01T14:00:00Z', '2025-07-02T14:00:00Z'].map(iso));
    });

    it('a start before the anchor truncates toward zero like Python int()', () => {
      const stored = {interval: 3600, anchor_date: '2025-01-01T00:00:00Z', timezone: 'UTC'};
      expect(runs(stored, '2024-12-31T22:30:00Z', 2)).to.deep.equal(['2024-12-31T23:00:00Z', '2025-01-01T00:00:00Z'].map(iso));
    });
  });

  describe('cron', () => {
    it('an hourly cron pauses two hours when New York falls back (first 1 am, then 2 am EST)', () => {
      const stored = {cron: '0 * * * *', timezone: 'America/New_York', day_or: true};
      expect(runs(stored, '2025-11-02T03:30:00Z', 4)).to.deep.equal(
        ['2025-11-02T04:00:00Z', '2025-11-02T05:00:00Z', '2025-11-02T07:00:00Z', '2025-11-02T08:00:00Z'].map(iso),
      );
    });

    it('a time skipped by spring-forward runs at the end of the jump, once', () => {
      const stored = {cron: '30 2 * * *', timezone: 'America/New_York', day_or: true};
      expect(runs(stored, '2025-03-08T12:00:00Z', 2)).to.deep.equal(['2025-03-09T07:30:00Z', '2025-03-10T06:30:00Z'].map(iso));
      const hourly = {cron: '0 * * * *', timezone: 'America/New_York', day_or: true};
      expect(runs(hourly, '2025-03-09T05:30:00Z', 3)).to.deep.equal(
        ['2025-03-09T06:00:00Z', '2025-03-09T07:00:00Z', '2025-03-09T08:00:00Z'].map(iso),
      );
    });

    it('a 9 am cron stays at 9 am local across DST', () => {
      const stored = {cron: '0 9 * * *', timezone: 'America/New_York'};
      expect(runs(stored, '2025-03-07T15:00:00Z', 3)).to.deep.equal(
        ['2025-03-08T14:00:00Z', '2025-03-09T13:00:00Z', '2025-03-10T13:00:00Z'].map(iso),
      );
    });

    it('day_or=false needs both day fields (Friday the 13th); day_or=true takes either', () => {
      const and = {cron: '0 0 13 * 5', timezone: 'UTC', day_or: false};
      expect(runs(and, '2025-01-01T00:00:00Z', 2)).to.deep.equal(['2025-06-13T00:00:00Z', '2026-02-13T00:00:00Z'].map(iso));
      const or = {cron: '0 0 13 * 5', timezone: 'UTC', day_or: true};
      expect(runs(or, '2025-01-01T00:00:00Z', 3)).to.deep.equal(
        ['2025-01-03T00:00:00Z', '2025-01-10T00:00:00Z', '2025-01-13T00:00:00Z'].map(iso),
      );
    });

    it("reads croniter's sixth field as seconds, includes the start, and uses UTC without a timezone", () => {
      expect(runs({cron: '0 9 * * * 30', timezone: null}, '2025-01-01T00:00:00Z', 1)).to.deep.equal([iso('2025-01-01T09:00:30Z')]);
      expect(runs({cron: '0 9 * * *', timezone: 'UTC'}, '2025-01-01T09:00:00Z', 1)).to.deep.equal([iso('2025-01-01T09:00:00Z')]);
    });
  });

  describe('rrule', () => {
    it('reads DTSTART as wall-clock time in the schedule timezone across DST', () => {
      const stored = {rrule: 'DTSTART:20200101T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO', timezone: 'America/New_York'};
      expect(runs(stored, '2025-03-01T00:00:00Z', 3)).to.deep.equal(
        ['2025-03-03T14:00:00Z', '2025-03-10T13:00:00Z', '2025-03-17T13:00:00Z'].map(iso),
      );
    });

    it('ignores a DTSTART TZID in favour of the schedule timezone, and honours EXDATE and COUNT', () => {
      const stored = {
        rrule: 'DTSTART;TZID=Asia/Tokyo:20250101T090000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20250102T090000',
        timezone: 'UTC',
      };
      expect(runs(stored, '2024-01-01T00:00:00Z', 5)).to.deep.equal(['2025-01-01T09:00:00Z', '2025-01-03T09:00:00Z'].map(iso));
    });

    it('without DTSTART starts from 2020-01-01 00:00 local (Paris, across its DST change)', () => {
      const stored = {rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0', timezone: 'Europe/Paris'};
      expect(runs(stored, '2025-03-29T00:00:00Z', 2)).to.deep.equal(['2025-03-29T08:00:00Z', '2025-03-30T07:00:00Z'].map(iso));
    });
  });

  it('reports, not throws, what it cannot evaluate', () => {
    const bad = (stored: unknown) => nextRunTimes(parseSchedule(stored), 0, 1).error;
    expect(bad({cron: 'not a cron', timezone: 'UTC'})).to.be.a('string');
    expect(bad({cron: '* * * * *', timezone: 'Mars/Olympus'})).to.equal('unknown time zone "Mars/Olympus"');
    expect(bad({something: 'else'})).to.equal('not an interval, cron or rrule schedule');
  });

  it('describes schedules for people', () => {
    expect(describeSeconds(5400)).to.equal('1 hour 30 minutes');
    expect(describeSeconds(86400)).to.equal('1 day');
    expect(describeSchedule(parseSchedule({interval: 3600, anchor_date: '2025-01-01T00:00:00Z', timezone: 'Europe/Paris'}))).to.equal(
      'every 1 hour from 2025-01-01 01:00:00+01:00 (Europe/Paris)',
    );
    expect(describeSchedule(parseSchedule({cron: '0 9 * * 1-5', timezone: 'UTC'}))).to.equal(
      'At 09:00, Monday through Friday — cron "0 9 * * 1-5" (UTC)',
    );
    expect(describeSchedule(parseSchedule({cron: '0 0 13 * 5', timezone: 'UTC', day_or: false}))).to.match(/AND day of week/);
    expect(describeSchedule(parseSchedule({rrule: 'FREQ=WEEKLY;BYDAY=MO', timezone: 'UTC'}))).to.equal(
      'every week on Monday at 00:00 — rrule "FREQ=WEEKLY;BYDAY=MO" (UTC)',
    );
  });

  it('keeps the minutes of a schedule\'s time of day', () => {
    const rule = (text: string) => describeSchedule(parseSchedule({rrule: text, timezone: 'UTC'})).split(' — ')[0];
    expect(rule('FREQ=DAILY;BYHOUR=6;BYMINUTE=30')).to.equal('every day at 06:30');
    expect(rule('FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=9;BYMINUTE=5')).to.equal('every week on Monday, Friday at 09:05');
    expect(rule('FREQ=DAILY;BYHOUR=6,18;BYMINUTE=0,30')).to.equal('every day at 06:00, 06:30, 18:00 and 18:30');
    expect(rule('DTSTART:20250101T071500\nRRULE:FREQ=WEEKLY;BYDAY=TU')).to.equal('every week on Tuesday at 07:15');
    expect(rule('FREQ=DAILY;COUNT=5;BYHOUR=6;BYMINUTE=30')).to.equal('every day at 06:30 for 5 times');
    expect(rule('FREQ=HOURLY;BYMINUTE=15')).to.equal('every hour at :15 past the hour');
    expect(describeSchedule(parseSchedule({cron: '30 6 * * *', timezone: 'UTC'}))).to.match(/^At 06:30 /);
    expect(describeSchedule(parseSchedule({interval: 5400, anchor_date: '2025-01-01T06:30:00Z', timezone: 'UTC'}))).to.equal(
      'every 1 hour 30 minutes from 2025-01-01 06:30:00+00:00 (UTC)',
    );
  });
});
