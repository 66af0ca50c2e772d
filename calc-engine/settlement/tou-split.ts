/**
 * TOU tiers of a meter that keeps no tier registers (DESIGN.md §5): each interval's active
 * import goes to the tier the calendar of the tariff in force on its local day puts at its start.
 * Pure: the intervals come from `loadIntervalImport`.
 */
import { DateTime } from 'luxon';
import { tierAtLocal } from '../tou.ts';
import type { IntervalImport } from './load.ts';
import { zeroFigures, type RegisterFigures } from './model.ts';
import { dec, decAdd, decCmp, decNeg, decSub, formatDecimal, type Decimal } from './decimal.ts';
import type { TariffSpan } from './windows.ts';

const ZERO_KWH = dec(0, 2);

/** Active-import tier figures per span (only the four tier registers set), and what the intervals hold. */
export interface SpanTiers {
  perSpan: RegisterFigures[];
  /** Intervals with energy, in any span. */
  intervals: number;
  /** Their energy, in any span: what the month's total is checked against. */
  total: Decimal;
}

/**
 * Split a point's intervals into tiers by the calendars of `spans` (a span without a calendar,
 * a single price, takes none). An interval counts in the span of the day it starts in, days
 * starting at `dayStartHour` (the scheme's).
 */
export function tiersFromCalendar(intervals: readonly IntervalImport[], zone: string, intervalMs: number, spans: readonly TariffSpan[], dayStartHour = 0): SpanTiers {
  // Tiers start at 0.00, so a tier no interval falls in is billed as 0.00 kWh like the others.
  const perSpan = spans.map(() => ({ ...zeroFigures(), ap_imp_sharp: ZERO_KWH, ap_imp_peak: ZERO_KWH, ap_imp_flat: ZERO_KWH, ap_imp_valley: ZERO_KWH }));
  let total = ZERO_KWH;
  for (const iv of intervals) {
    total = decAdd(total, iv.kwh);
    const start = iv.end.getTime() - intervalMs;
    const local = DateTime.fromMillis(start, { zone });
    const day = (local.hour < dayStartHour ? local.minus({ days: 1 }) : local).toISODate()!;
    const i = spans.findIndex((s) => s.firstDay <= day && day <= s.lastDay);
    const calendar = spans[i]?.tariff.calendar;
    if (!calendar) continue;
    const column = `ap_imp_${tierAtLocal(calendar, local)}` as const;
    perSpan[i]![column] = decAdd(perSpan[i]![column], iv.kwh);
  }
  return { perSpan, intervals: intervals.length, total };
}

const TIER_COLUMNS = ['ap_imp_sharp', 'ap_imp_peak', 'ap_imp_flat', 'ap_imp_valley'] as const;

/**
 * The calendar tiers of a member for its month [from, to) whose active import is `total`, or
 * why they cannot be billed: every interval must have energy, and the intervals must hold the
 * month's total up to their rounding (half a unit of the fourth decimal each); that remainder
 * goes to the largest tier, so the tiers bill exactly the month.
 */
export function monthCalendarTiers(intervals: readonly IntervalImport[], zone: string, intervalMs: number, spans: readonly TariffSpan[], dayStartHour: number,
  month: { from: Date; to: Date; total: Decimal }): SpanTiers | { problem: string } {
  const t = tiersFromCalendar(intervals, zone, intervalMs, spans, dayStartHour);
  const expected = Math.round((month.to.getTime() - month.from.getTime()) / intervalMs);
  const how = 'TOU tiers from the calendar need every interval of the month';
  if (t.intervals < expected) return { problem: `no tier figures this month (a meter without tier registers), and ${expected - t.intervals} of its ${expected} intervals have no energy: ${how}; backfill them (the engine recomputes them), or bill the account with a single price` };
  const gap = decSub(month.total, t.total);
  const tolerance = dec(BigInt(t.intervals) * 5n, 5);
  if (decCmp(gap, tolerance) > 0 || decCmp(decNeg(gap), tolerance) > 0) {
    return { problem: `no tier figures this month (a meter without tier registers), and its intervals hold ${formatDecimal(t.total)} of the month's ${formatDecimal(month.total)} kWh (an adjustment of the month?): ${how}; put the adjustment on intervals, or bill the account with a single price` };
  }
  let at: [number, (typeof TIER_COLUMNS)[number]] | undefined;
  t.perSpan.forEach((f, i) => spans[i]!.tariff.calendar && TIER_COLUMNS.forEach((c) => {
    if (!at || decCmp(f[c], t.perSpan[at[0]]![at[1]]) > 0) at = [i, c];
  }));
  if (at) t.perSpan[at[0]]![at[1]] = decAdd(t.perSpan[at[0]]![at[1]], gap);
  return t;
}
