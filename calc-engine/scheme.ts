/**
 * Statistical scheme: where calendar days and billing months begin, in the point's IANA zone
 * (luxon). Days have 23, 24 or 25 hours around DST; month boundaries are day boundaries, so a
 * month's days tile it exactly.
 */
import { DateTime } from 'luxon';

/** How days and billing months are cut. */
export interface StatisticalScheme {
  /** Local hour a day starts at (default 0). */
  readonly dayStartHour: number;
  /** Day of the month (1…28) on which the billing month closes (default 1). */
  readonly monthCloseDay: number;
  /** Local hour of the close; must equal `dayStartHour` so months are whole days (default 0). */
  readonly monthCloseHour: number;
  /**
   * Which calendar month names a billing month: `start` — month M runs from its close in M to
   * the close in M+1 (default; with close day 1 that is the calendar month); `end` — month M
   * runs from the close in M−1 to the close in M (the usual reading-day convention: March
   * closes on 25 March).
   */
  readonly monthLabel: 'start' | 'end';
}

/** Calendar days from 00:00, months closing on the 1st at 00:00. */
export const DEFAULT_SCHEME: StatisticalScheme = { dayStartHour: 0, monthCloseDay: 1, monthCloseHour: 0, monthLabel: 'start' };

/** A half-open period [from, to) in epoch ms. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** Validate a scheme and fill defaults; throws with the reason when it cannot tile months by days. */
export function statisticalScheme(s: Partial<StatisticalScheme> = {}): StatisticalScheme {
  const out = { ...DEFAULT_SCHEME, ...s };
  if (!Number.isInteger(out.dayStartHour) || out.dayStartHour < 0 || out.dayStartHour > 23) throw new RangeError('scheme: dayStartHour must be 0…23');
  if (!Number.isInteger(out.monthCloseDay) || out.monthCloseDay < 1 || out.monthCloseDay > 28) throw new RangeError('scheme: monthCloseDay must be 1…28 so every month has it');
  if (out.monthCloseHour !== out.dayStartHour) throw new RangeError('scheme: monthCloseHour must equal dayStartHour, or a month would not be a whole number of days');
  return out;
}

function at(zone: string, year: number, month: number, day: number, hour: number): number {
  const dt = DateTime.fromObject({ year, month, day, hour }, { zone });
  if (!dt.isValid) throw new RangeError(`scheme: invalid local time in zone ${zone}`);
  return dt.toMillis();
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`scheme: not a date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The day `YYYY-MM-DD` as [from, to) in epoch ms. */
export function dayPeriod(scheme: StatisticalScheme, zone: string, date: string): Period {
  const [y, m, d] = parseDate(date);
  const next = DateTime.fromObject({ year: y, month: m, day: d }, { zone: 'UTC' }).plus({ days: 1 });
  return { from: at(zone, y, m, d, scheme.dayStartHour), to: at(zone, next.year, next.month, next.day, scheme.dayStartHour) };
}

/** The day `YYYY-MM-DD` that contains instant `t`. */
export function dayOf(scheme: StatisticalScheme, zone: string, t: number): string {
  const local = DateTime.fromMillis(t, { zone });
  let date = local.toISODate()!;
  if (t < dayPeriod(scheme, zone, date).from) date = local.minus({ days: 1 }).toISODate()!;
  return date;
}

/** The billing month `YYYY-MM` as [from, to) in epoch ms. */
export function monthPeriod(scheme: StatisticalScheme, zone: string, month: string): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new RangeError(`scheme: not a month: ${month}`);
  let first = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: 'UTC' });
  if (scheme.monthLabel === 'end') first = first.minus({ months: 1 });
  const next = first.plus({ months: 1 });
  return {
    from: at(zone, first.year, first.month, scheme.monthCloseDay, scheme.monthCloseHour),
    to: at(zone, next.year, next.month, scheme.monthCloseDay, scheme.monthCloseHour),
  };
}

/** The billing month label (YYYY-MM) of a local day under a scheme. */
export function monthOfDay(scheme: StatisticalScheme, date: string): string {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  let m = d.day >= scheme.monthCloseDay ? d : d.minus({ months: 1 });
  if (scheme.monthLabel === 'end') m = m.plus({ months: 1 });
  return m.toFormat('yyyy-MM');
}

/** The days of a billing month, in order; their periods tile the month's period. */
export function monthDays(scheme: StatisticalScheme, zone: string, month: string): string[] {
  const p = monthPeriod(scheme, zone, month);
  const days: string[] = [];
  let date = dayOf(scheme, zone, p.from);
  for (;;) {
    const d = dayPeriod(scheme, zone, date);
    if (d.from >= p.to) break;
    days.push(date);
    date = DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
  }
  return days;
}

/** The interval ends (a, b] of the point's grid inside [from, to], aligned to Δ on the epoch. */
export function intervalEnds(from: number, to: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / stepMs) * stepMs + stepMs; t <= to; t += stepMs) out.push(t);
  return out;
}
