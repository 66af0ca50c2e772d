/**
 * `tiersFromCalendar` puts each interval in the tariff window of the scheme day it starts in:
 * with days from 06:00, 03:00 on 1 November still belongs to 31 October's day, in the month.
 */
import { describe, expect, it } from 'vitest';
import { formatDecimal, monthCalendarTiers, parseDecimal, parseTariff, tiersFromCalendar } from '../../calc-engine/settlement/index.ts';

const calendar = { seasons: [{ start: '01-01', workday: [{ start: '00:00', tier: 'valley' }, { start: '08:00', tier: 'peak' }] }] };
const tariff = (id: string, from: string) => parseTariff({ id, name: id, effectiveFrom: from, effectiveTo: null, spec: { energy: { sharp: '1', peak: '1', flat: '1', valley: '1' }, calendar } });
const iv = (end: string, kwh: string) => ({ end: new Date(end), kwh: parseDecimal(kwh) });

describe('tiersFromCalendar', () => {
  it('counts the hours before the day-start hour in the day before, and in its tariff window', () => {
    const [a, b] = [tariff('A', '2026-01-01'), tariff('B', '2026-10-16')];
    const spans = [{ tariff: a, firstDay: '2026-10-01', lastDay: '2026-10-15', days: 15 }, { tariff: b, firstDay: '2026-10-16', lastDay: '2026-10-31', days: 16 }];
    const t = tiersFromCalendar([
      iv('2026-10-16T01:15:00Z', '1.00'), //  16 Oct 03:00–03:15 CEST: still 15 October's day → window A, valley
      iv('2026-10-16T06:15:00Z', '2.00'), //  16 Oct 08:00–08:15: window B, peak
      iv('2026-11-01T02:15:00Z', '4.00'), //   1 Nov 03:00–03:15 CET: 31 October's day → window B, valley
    ], 'Europe/Berlin', 900_000, spans, 6);
    expect(t.intervals).toBe(3);
    expect(t.perSpan.map((f) => [formatDecimal(f.ap_imp_peak), formatDecimal(f.ap_imp_valley)])).toEqual([['0.00', '1.00'], ['2.00', '4.00']]);
  });

  it('checks the month against every interval when a single price is followed by TOU mid-month', () => {
    const single = parseTariff({ id: 'S', name: 'S', effectiveFrom: '2026-01-01', effectiveTo: null, spec: { energy: { kind: 'single', price: '1' } } });
    const spans = [{ tariff: single, firstDay: '2026-10-01', lastDay: '2026-10-15', days: 15 }, { tariff: tariff('B', '2026-10-16'), firstDay: '2026-10-16', lastDay: '2026-10-31', days: 16 }];
    // For brevity a "month" of two days in day-long intervals: 15 October under the single price,
    // 16 October under TOU (valley from 00:00). The month's 7.00 kWh are checked against both.
    const month = { from: new Date('2026-10-14T22:00:00Z'), to: new Date('2026-10-16T22:00:00Z'), total: parseDecimal('7.00') };
    const t = monthCalendarTiers([iv('2026-10-15T22:00:00Z', '5.00'), iv('2026-10-16T22:00:00Z', '2.00')], 'Europe/Berlin', 86_400_000, spans, 0, month);
    if ('problem' in t) throw new Error(t.problem);
    // The single-price window takes no tiers; the TOU one its day's 2.00 kWh.
    expect(t.perSpan.map((f) => formatDecimal(f.ap_imp_valley))).toEqual(['0.00', '2.00']);
  });
});
