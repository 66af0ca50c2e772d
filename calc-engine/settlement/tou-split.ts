/**
 * TOU tiers of a meter that keeps no tier registers (DESIGN.md §5): each interval's active
 * import goes to the tier the calendar of the tariff in force on its local day puts at its start.
 * Pure: the intervals come from `loadIntervalImport`.
 */
import { DateTime } from 'luxon';
import { tierAt } from '../tou.ts';
import type { IntervalImport } from './load.ts';
import { zeroFigures, type RegisterFigures } from './model.ts';
import { dec, decAdd } from './decimal.ts';

const ZERO_KWH = dec(0, 2);
import type { TariffSpan } from './windows.ts';

/** Active-import tier figures per span (only the four tier registers set), and the intervals used. */
export interface SpanTiers {
  perSpan: RegisterFigures[];
  intervals: number;
}

/**
 * Split a point's intervals into tiers by the calendars of `spans` (every span's tariff must
 * have one). An interval counts in the span of the day it starts in, days starting at
 * `dayStartHour` (the scheme's, as the month's own boundary shows it).
 */
export function tiersFromCalendar(intervals: readonly IntervalImport[], zone: string, intervalMs: number, spans: readonly TariffSpan[], dayStartHour = 0): SpanTiers {
  // Tiers start at 0.00, so a tier no interval falls in is billed as 0.00 kWh like the others.
  const perSpan = spans.map(() => ({ ...zeroFigures(), ap_imp_sharp: ZERO_KWH, ap_imp_peak: ZERO_KWH, ap_imp_flat: ZERO_KWH, ap_imp_valley: ZERO_KWH }));
  let used = 0;
  for (const iv of intervals) {
    const start = iv.end.getTime() - intervalMs;
    const local = DateTime.fromMillis(start, { zone });
    const day = (local.hour < dayStartHour ? local.minus({ days: 1 }) : local).toISODate()!;
    const i = spans.findIndex((s) => s.firstDay <= day && day <= s.lastDay);
    const calendar = spans[i]?.tariff.calendar;
    if (!calendar) continue;
    const column = `ap_imp_${tierAt(calendar, zone, start)}` as const;
    perSpan[i]![column] = decAdd(perSpan[i]![column], iv.kwh);
    used++;
  }
  return { perSpan, intervals: used };
}
