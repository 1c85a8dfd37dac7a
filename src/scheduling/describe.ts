import {jsonText} from '../db/codecs/json-text.js';
import cronstrue from 'cronstrue';

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
    const described = rules.length > 0 ? rules.map((rule) => rule.toText()).join('; ') : 'on listed dates';
    const extras = set.rdates().length + set.exdates().length + set.exrules().length;
    return extras > 0 ? `${described} (with ${extras} added or excluded dates/rules)` : described;
  } catch {
    return 'unreadable rrule';
  }
}
