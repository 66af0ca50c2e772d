/**
 * The days of a billing month and the tariffs in force on them, and how a month's energy is
 * attributed to each tariff window: split by the daily figures of the window's days, or
 * prorated by days. Either way the windows add up exactly to the monthly figure: the last
 * window takes the month minus the others.
 */
import { DateTime } from 'luxon';
import { REGISTER_COLUMNS } from '../../schema/index.ts';
import { decMulRatioRound, decSub, decSum, type Decimal } from './decimal.ts';
import { addFigures, zeroFigures, type BillingWindow, type RegisterFigures } from './model.ts';
import type { Tariff } from './tariff.ts';

/** The local days (`YYYY-MM-DD`) of the period [start, end) in `zone`. */
export function billingDays(start: Date, end: Date, zone: string): string[] {
  const days: string[] = [];
  let t = DateTime.fromJSDate(start, { zone });
  const stop = end.getTime();
  while (t.toMillis() < stop && days.length < 40) {
    days.push(t.toISODate()!);
    t = t.plus({ days: 1 });
  }
  return days;
}

/** A tariff's days within the month, before energy is attributed. */
export interface TariffSpan {
  tariff: Tariff;
  firstDay: string;
  lastDay: string;
  days: number;
}

/** Consecutive days under the same tariff of a schedule; `uncovered` lists days under none. */
export function tariffSpans(schedule: readonly Tariff[], days: readonly string[]): { spans: TariffSpan[]; uncovered: string[] } {
  const spans: TariffSpan[] = [];
  const uncovered: string[] = [];
  for (const day of days) {
    const t = schedule.find((x) => x.from <= day && (x.to === null || day <= x.to));
    if (!t) {
      uncovered.push(day);
      continue;
    }
    const last = spans[spans.length - 1];
    if (last && last.tariff === t) {
      last.lastDay = day;
      last.days++;
    } else spans.push({ tariff: t, firstDay: day, lastDay: day, days: 1 });
  }
  return { spans, uncovered };
}

/** How a change of tariff inside the month is applied: the tariff taking effect decides. */
export function midMonthMode(spans: readonly TariffSpan[]): 'split' | 'prorate' {
  return spans[1]?.tariff.midMonth ?? 'split';
}

function remainderLast(month: RegisterFigures, parts: RegisterFigures[]): RegisterFigures {
  let rest = month;
  for (const p of parts) rest = addFigures(rest, p, -1);
  return rest;
}

/**
 * Attribute the month's energy to the spans. `split`: each span but the last takes the signed
 * sum of its days' figures (`dailyOf(day)`); `prorate`: each span but the last takes
 * energy × days / monthDays, rounded half-up to the figure's resolution (at least 0.01).
 */
export function attributeEnergy(
  month: RegisterFigures,
  spans: readonly TariffSpan[],
  monthDays: number,
  mode: 'split' | 'prorate',
  dailyOf: (day: string) => RegisterFigures | undefined,
): { windows: BillingWindow[]; missingDays: string[] } {
  if (spans.length === 1) return { windows: [{ ...spans[0]!, energy: month }], missingDays: [] };
  const parts: RegisterFigures[] = [];
  const missingDays: string[] = [];
  for (const span of spans.slice(0, -1)) {
    let part = zeroFigures();
    if (mode === 'prorate') {
      for (const c of REGISTER_COLUMNS) {
        const e: Decimal = month[c];
        part[c] = decMulRatioRound(e, BigInt(span.days), BigInt(monthDays), Math.max(2, e.scale));
      }
    } else {
      let d = DateTime.fromISO(span.firstDay, { zone: 'UTC' });
      for (let i = 0; i < span.days; i++, d = d.plus({ days: 1 })) {
        const day = d.toISODate()!;
        const f = dailyOf(day);
        if (f) part = addFigures(part, f);
        else missingDays.push(day);
      }
    }
    parts.push(part);
  }
  const last = remainderLast(month, parts);
  const windows = spans.map((s, i) => ({ ...s, energy: i < parts.length ? parts[i]! : last }));
  return { windows, missingDays };
}

/** Total active import minus the sum of its four tiers (zero when the meter's tiers add up). */
export function tierGap(f: RegisterFigures): Decimal {
  return decSub(f.ap_imp_total, decSum([f.ap_imp_sharp, f.ap_imp_peak, f.ap_imp_flat, f.ap_imp_valley]));
}
