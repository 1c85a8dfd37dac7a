import {jsonText} from '../db/codecs/json-text.js';
import cronstrue from 'cronstrue';
import rrule from 'rrule';

import {parseRRule} from './rrule-dates.js';
import type {Schedule} from './schedule.js';
import {localLabel} from './zoned-time.js';

const UNITS: Array<[name: string, seconds: number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** 5400 → "1 hour 30 minutes"; fractions of a second are kept on the seconds. */
export function describeSeconds(total: number): string {
  const parts: string[] = [];
  let rest = total;
  for (const [name, size] of UNITS) {
    const amount = size === 1 ? Number(rest.toFixed(6)) : Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount} ${name}${amount === 1 ? '' : 's'}`);
    rest -= size === 1 ? rest : amount * size;
  }
  return parts.join(' ') || '0 seconds';
}

/** One line for people: "every 1 day from 2025-11-10 21:06:12+00:00 (UTC)". */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'interval':
      return `every ${describeSeconds(schedule.interval)} from ${localLabel(schedule.anchorDate, schedule.timezone)} (${schedule.timezone})`;
    case 'cron':
      return `${cronText(schedule.cron, schedule.dayOr)} — cron "${schedule.cron}" (${schedule.timezone})`;
    case 'rrule':
      return `${rruleText(schedule.rrule, schedule.timezone)} — rrule "${schedule.rrule.replaceAll('\n', ' ')}" (${schedule.timezone})`;
    default:
      return jsonText(schedule.raw);
  }
}

function cronText(cron: string, dayOr: boolean): string {
  let text: string;
  try {
    text = cronstrue.toString(cron, {use24HourTimeFormat: true, verbose: false});
  } catch {
    return 'unreadable cron';
  }
  // cronstrue reads both day fields as "or"; say so when Prefect's day_or=false makes it "and".
  const fields = cron.trim().split(/\s+/);
  const bothDaysSet = fields.length >= 5 && fields[2] !== '*' && fields[2] !== '?' && fields[4] !== '*' && fields[4] !== '?';
  return bothDaysSet && !dayOr ? `${text} (day of month AND day of week must both match)` : text;
}

function rruleText(text: string, timezone: string): string {
  try {
    const set = parseRRule({kind: 'rrule', rrule: text, timezone});
    const rules = set.rrules();
    const described = rules.length > 0 ? rules.map((rule) => ruleText(rule)).join('; ') : 'on listed dates';
    const extras = set.rdates().length + set.exdates().length + set.exrules().length;
    return extras > 0 ? `${described} (with ${extras} added or excluded dates/rules)` : described;
  } catch {
    return 'unreadable rrule';
  }
}

const {RRule} = rrule;
const DAILY_OR_SLOWER = new Set([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);

/**
 * rrule.js's own wording names the hours only ("every day at 6" for 06:30), so the time of day
 * is written here from the parsed rule, whose hours, minutes and seconds are filled in from
 * DTSTART when the rule leaves them out — the same times the schedule produces.
 */
function ruleText(rule: rrule.RRule): string {
  const {freq, byhour, byminute, bysecond} = rule.options;
  if (freq === RRule.HOURLY) {
    const minutes = (byminute ?? []).map((minute) => `:${pad(minute)}`);
    return minutes.length > 0 ? `${rule.toText()} at ${listText(minutes)} past the hour` : rule.toText();
  }
  if (!DAILY_OR_SLOWER.has(freq)) return rule.toText();
  const withoutTimes = new RRule({...rule.origOptions, byhour: null, byminute: null, bysecond: null}).toText();
  const times: string[] = [];
  for (const hour of byhour ?? []) {
    for (const minute of byminute ?? [0]) {
      for (const second of bysecond ?? [0]) times.push(`${pad(hour)}:${pad(minute)}${second === 0 ? '' : `:${pad(second)}`}`);
    }
  }
  if (times.length === 0) return withoutTimes;
  // The time of day belongs before "until …" / "for N times", where rrule.js ends its text.
  const ending = /( until .*| for \d+ times?)$/.exec(withoutTimes);
  const head = ending ? withoutTimes.slice(0, ending.index) : withoutTimes;
  return `${head} at ${listText(times.sort())}${ending ? ending[0] : ''}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function listText(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
