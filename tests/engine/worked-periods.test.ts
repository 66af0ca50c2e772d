/** Worked examples: bypass across midnight, a month closing on the 25th, manual energy, TOU. */
import { describe, expect, it } from 'vitest';
import {
  dailyEnergy, energyContext, monthDailyEnergies, monthlyEnergy, monthPeriod, ratAdd, ratToDecimal, statisticalScheme, touFromIntervals, touFromRegisters,
  intervalEnergies, type TariffCalendar,
} from '../../calc-engine/index.ts';
import { rowQuality } from '../../calc-engine/store/index.ts';
import { registerIndex } from '../../schema/registers.ts';
import { at, IMP, kwh, linearSnapshots, pointData, regs } from './fixtures.ts';

const scheme = statisticalScheme();
const inst = (meterId: string) => [{ meterId, from: at('2024-01-01T00:00'), capacity: 1e8 }];

describe('bypass across midnight', () => {
  // Feeder P is carried by bypass point B from 2024-03-12 22:00 to 2024-03-13 03:00 (Berlin);
  // P's own meter stands still meanwhile (its CT is out of circuit). M = 1 on both.
  //   P: 12th 00:00 100.00, 22:00 122.00, 13th 00:00 122.00, 03:00 122.00, 14th 00:00 143.00 kWh
  //   B: 12th 00:00 500.00, 22:00 500.00, 13th 00:00 508.00, 03:00 520.00, 14th 00:00 520.00 kWh
  // P day 12 = P(00→22) + B(22→24) = 22.00 + 8.00 = 30.00
  // P day 13 = B(00→03) + P(03→24) = 12.00 + 21.00 = 33.00
  // B day 12 = B(00→22) = 0.00 and B day 13 = B(03→24) = 0.00: B's 20.00 kWh count once, on P.
  const snaps = (vals: [string, number][]) => vals.map(([t, v]) => ({ ts: at(t), values: regs({ 'ap_imp.total': v }) }));
  const P = pointData({ id: 'P' }, inst('MP'), [], snaps([['2024-03-12T00:00', 10_000], ['2024-03-12T22:00', 12_200], ['2024-03-13T00:00', 12_200], ['2024-03-13T03:00', 12_200], ['2024-03-14T00:00', 14_300]]));
  const B = pointData({ id: 'B' }, inst('MB'), [], snaps([['2024-03-12T00:00', 50_000], ['2024-03-12T22:00', 50_000], ['2024-03-13T00:00', 50_800], ['2024-03-13T03:00', 52_000], ['2024-03-14T00:00', 52_000]]));
  const ctx = energyContext([P, B], [{ feederId: 'P', bypassId: 'B', from: at('2024-03-12T22:00'), to: at('2024-03-13T03:00') }]);
  it('gives the feeder the bypass energy, split at midnight', () => {
    const p12 = dailyEnergy(ctx, scheme, 'P', '2024-03-12');
    const p13 = dailyEnergy(ctx, scheme, 'P', '2024-03-13');
    expect([kwh(p12), kwh(p13)]).toEqual(['30.00', '33.00']);
    expect([kwh(dailyEnergy(ctx, scheme, 'B', '2024-03-12')), kwh(dailyEnergy(ctx, scheme, 'B', '2024-03-13'))]).toEqual(['0.00', '0.00']);
    expect(p12.sources.map((s) => [s.pointId, s.role])).toEqual([['P', 'own'], ['B', 'bypass']]);
    // total counted = P + B − P's own (frozen) energy in the window: 63.00 = 43.00 + 20.00 − 0
    expect(ratToDecimal(ratAdd(p12.registers[IMP]!.energy!, p13.registers[IMP]!.energy!), 2, 2)).toBe('63.00');
  });
});

describe('month closing on the 25th', () => {
  // Scheme: months close on the 25th at 00:00 and are named by the month they close in, so
  // billing month 2024-04 runs 2024-03-25 00:00 CET → 2024-04-25 00:00 CEST: 31 days, one of
  // them (31 March) 23 h, so 31 × 24 − 1 = 743 h. The register gains 1.00 kWh per hour:
  // month = 743.00 kWh; its days are 24.00 each except 31 March, 23.00: 30 × 24 + 23 = 743.
  const s25 = statisticalScheme({ monthCloseDay: 25, monthLabel: 'end' });
  const hour = 3_600_000;
  const from = at('2024-03-20T00:00');
  const P = pointData({ id: 'P', intervalMinutes: 60 }, inst('M'), [], linearSnapshots(from, at('2024-05-01T00:00'), hour, (i) => i * 100));
  const ctx = energyContext([P]);
  it('runs 25 March → 25 April and equals the sum of its days', () => {
    const p = monthPeriod(s25, 'Europe/Berlin', '2024-04');
    expect([p.from, p.to]).toEqual([at('2024-03-25T00:00'), at('2024-04-25T00:00')]);
    const month = monthlyEnergy(ctx, s25, 'P', '2024-04');
    expect(kwh(month)).toBe('743.00');
    const days = monthDailyEnergies(ctx, s25, 'P', '2024-04');
    expect(days).toHaveLength(31);
    expect(days.find((d) => d.label === '2024-03-31') && kwh(days.find((d) => d.label === '2024-03-31')!)).toBe('23.00');
    const sum = days.map((d) => d.registers[IMP]!.energy!).reduce(ratAdd);
    expect(sum).toEqual(month.registers[IMP]!.energy);
  });
});

describe('manual energy', () => {
  // Point P reads 1.00 kWh per hour, but rows 19:00 on 12 March to 05:00 on 13 March are lost
  // (a 12 h gap, too long to interpolate), so both days are missing. Billing staff set
  // ap_imp.total to 12.00 kWh for 18:00 → 06:00. Each day gets the prorated share of the set
  // record: day 12 = (18:00 − 00:00) 18.00 + 6/12 × 12.00 = 24.00; day 13 = 6.00 + 18.00 = 24.00,
  // both estimated (manual-set). A supplement of +2.00 kWh on day 12 makes it 26.00.
  const hour = 3_600_000;
  const snaps = linearSnapshots(at('2024-03-12T00:00'), at('2024-03-14T00:00'), hour, (i) => i * 100).filter((s) => s.ts <= at('2024-03-12T18:00') || s.ts >= at('2024-03-13T06:00'));
  const P = pointData({ id: 'P', intervalMinutes: 60 }, inst('M'), [], snaps);
  const who = { who: 'billing@utility', at: at('2024-03-14T09:00'), why: 'terminal outage' };
  const set = { id: 'A1', pointId: 'P', register: 'ap_imp.total' as const, kind: 'set' as const, from: at('2024-03-12T18:00'), to: at('2024-03-13T06:00'), energy: 1200, ...who };
  const sup = { id: 'A2', pointId: 'P', register: 'ap_imp.total' as const, kind: 'supplement' as const, from: at('2024-03-12T00:00'), to: at('2024-03-13T00:00'), energy: 200, ...who };
  it('is missing without the record, filled by set energy, raised by a supplement', () => {
    expect(dailyEnergy(energyContext([P]), scheme, 'P', '2024-03-12').registers[IMP]!.quality.kind).toBe('missing');
    const ctx = energyContext([P], [], [set]);
    const d12 = dailyEnergy(ctx, scheme, 'P', '2024-03-12');
    const d13 = dailyEnergy(ctx, scheme, 'P', '2024-03-13');
    expect([kwh(d12), kwh(d13)]).toEqual(['24.00', '24.00']);
    expect(d12.registers[IMP]!.quality).toEqual({ kind: 'estimated', methods: ['manual-set'] });
    expect(d12.sources.find((x) => x.role === 'manual-set')?.adjustmentId).toBe('A1');
    expect(kwh(dailyEnergy(energyContext([P], [], [set, sup]), scheme, 'P', '2024-03-12'))).toBe('26.00');
  });
});

describe('TOU from a tariff calendar', () => {
  // A meter without tiers, 1.00 kWh per hour on 2024-03-12 (a Tuesday). Bands: valley 00:00–08:00,
  // peak 08:00–12:00, sharp 12:00–14:00, flat 14:00–24:00 → valley 8, peak 4, sharp 2, flat 10.
  // On 2024-03-16 (Saturday) the weekend bands are all flat: 24.00 flat.
  const cal: TariffCalendar = {
    seasons: [{
      start: '01-01',
      workday: [{ start: '00:00', tier: 'valley' }, { start: '08:00', tier: 'peak' }, { start: '12:00', tier: 'sharp' }, { start: '14:00', tier: 'flat' }],
      weekend: [{ start: '00:00', tier: 'flat' }],
    }],
  };
  const hour = 3_600_000;
  const P = pointData({ id: 'P', intervalMinutes: 60 }, inst('M'), [], linearSnapshots(at('2024-03-12T00:00'), at('2024-03-17T00:00'), hour, (i) => i * 100));
  const ctx = energyContext([P]);
  const split = (day: string, next: string) => {
    const t = touFromIntervals(cal, 'Europe/Berlin', intervalEnergies(ctx, 'P', at(`${day}T00:00`), at(`${next}T00:00`)), 'ap_imp');
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ratToDecimal(v.energy!, 2, 2)]));
  };
  it('splits by band, weekday and weekend', () => {
    expect(split('2024-03-12', '2024-03-13')).toEqual({ sharp: '2.00', peak: '4.00', flat: '10.00', valley: '8.00' });
    expect(split('2024-03-16', '2024-03-17')).toEqual({ sharp: '0.00', peak: '0.00', flat: '24.00', valley: '0.00' });
  });
  it('reads tier registers when the meter keeps them', () => {
    const Q = pointData({ id: 'Q' }, inst('M'), [], [
      { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 1000, 'ap_imp.peak': 400, 'ap_imp.valley': 600 }) },
      { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': 3400, 'ap_imp.peak': 1400, 'ap_imp.valley': 2000 }) },
    ]);
    const t = touFromRegisters(dailyEnergy(energyContext([Q]), scheme, 'Q', '2024-03-12'), 'ap_imp');
    expect([t.peak, t.valley, t.flat].map((f) => ratToDecimal(f.energy!, 2, 2))).toEqual(['10.00', '14.00', '0.00']);
  });
});

describe('a point whose first meter is installed mid-month', () => {
  // The meter of new connection N is installed on 10 March 2026 at 10:00 (Berlin) with initial
  // reading 10.00 kWh; it reads 30.00 at midnight and 90.00 on 1 April 00:00 (M = 1). Before the
  // installation the point was not connected: 10 March = 30.00 − 10.00 = 20.00 kWh, March =
  // 90.00 − 10.00 = 80.00 kWh, 9 March 0.00 — all actual.
  // After its final removal (1 April 00:00, final 90.00) April is 0.00 too.
  const N = pointData({ id: 'N' }, [{ meterId: 'MN', from: at('2026-03-10T10:00'), to: at('2026-04-01T00:00'), initial: regs({ 'ap_imp.total': 1_000 }), final: regs({ 'ap_imp.total': 9_000 }), capacity: 1e8 }], [],
    [{ ts: at('2026-03-11T00:00'), values: regs({ 'ap_imp.total': 3_000 }) }, { ts: at('2026-04-01T00:00'), values: regs({ 'ap_imp.total': 9_000 }) }]);
  const ctx = energyContext([N]);
  it('counts from the initial reading, not missing', () => {
    const d10 = dailyEnergy(ctx, scheme, 'N', '2026-03-10');
    expect([kwh(dailyEnergy(ctx, scheme, 'N', '2026-03-09')), kwh(d10), kwh(monthlyEnergy(ctx, scheme, 'N', '2026-03'))]).toEqual(['0.00', '20.00', '80.00']);
    expect(d10.registers[IMP]!.quality).toEqual({ kind: 'actual' });
    expect(kwh(monthlyEnergy(ctx, scheme, 'N', '2026-04'))).toBe('0.00');
  });
  it('stays missing where readings show a meter the archive lacks', () => {
    // The same point read on 9 March and 2 April: a meter was there before and after.
    const M = pointData({ id: 'M' }, [{ meterId: 'MN', from: at('2026-03-10T10:00'), to: at('2026-04-01T00:00'), initial: regs({ 'ap_imp.total': 1_000 }), final: regs({ 'ap_imp.total': 9_000 }), capacity: 1e8 }], [],
      [{ ts: at('2026-03-09T12:00'), values: regs({ 'ap_imp.total': 500 }) }, { ts: at('2026-03-11T00:00'), values: regs({ 'ap_imp.total': 3_000 }) }, { ts: at('2026-04-02T00:00'), values: regs({ 'ap_imp.total': 9_500 }) }]);
    const c = energyContext([M]);
    expect(dailyEnergy(c, scheme, 'M', '2026-03-09').registers[IMP]!.quality.kind).toBe('missing');
    expect(monthlyEnergy(c, scheme, 'M', '2026-04').registers[IMP]!.quality.kind).toBe('missing');
  });
});

describe('a row with one register missing', () => {
  // Meter K keeps tiers: on 10 March 2026 00:00 it reads total 100.00, peak 40.00 kWh; on the
  // 11th at 00:00 total 124.00, and the peak register was not read. The day's total is 24.00,
  // its peak unknown: the row is missing (a bill must not price the peak at zero), the total
  // keeps its figure. Meter T keeps no tiers (the tiers are never read): its day is actual.
  const NaNs = { 'ap_imp.sharp': NaN, 'ap_imp.peak': NaN, 'ap_imp.flat': NaN, 'ap_imp.valley': NaN };
  const K = pointData({ id: 'K' }, inst('MK'), [], [
    { ts: at('2026-03-10T00:00'), values: regs({ 'ap_imp.total': 10_000, 'ap_imp.peak': 4_000 }) },
    { ts: at('2026-03-11T00:00'), values: regs({ 'ap_imp.total': 12_400, 'ap_imp.peak': NaN }) },
  ]);
  const T = pointData({ id: 'T' }, inst('MT'), [], [
    { ts: at('2026-03-10T00:00'), values: regs({ 'ap_imp.total': 10_000, ...NaNs }) },
    { ts: at('2026-03-11T00:00'), values: regs({ 'ap_imp.total': 12_400, ...NaNs }) },
  ]);
  const ctx = energyContext([K, T]);
  it('is missing when the meter reads that register, actual when it never does', () => {
    const k = dailyEnergy(ctx, scheme, 'K', '2026-03-10');
    expect(kwh(k)).toBe('24.00');
    expect(k.registers[registerIndex('ap_imp.peak')]!.energy).toBeNull();
    expect(rowQuality(k)).toEqual({ kind: 'missing', reasons: ['no-reading'] });
    const t = dailyEnergy(ctx, scheme, 'T', '2026-03-10');
    expect(kwh(t)).toBe('24.00');
    expect(rowQuality(t)).toEqual({ kind: 'actual' });
  });
  it('takes a supplement on a register the meter does not read as the whole figure', () => {
    // Billing staff add 3.00 kWh of peak to T's day: with no peak register it is all the peak.
    const sup = { id: 'A1', pointId: 'T', register: 'ap_imp.peak' as const, kind: 'supplement' as const, from: at('2026-03-10T00:00'), to: at('2026-03-11T00:00'), energy: 300, who: 'billing', at: at('2026-03-12T09:00'), why: 'estimate' };
    const t = dailyEnergy(energyContext([K, T], [], [sup]), scheme, 'T', '2026-03-10');
    expect(ratToDecimal(t.registers[registerIndex('ap_imp.peak')]!.energy!, 2, 2)).toBe('3.00');
    expect(rowQuality(t)).toEqual({ kind: 'estimated', methods: ['manual-supplement'] });
  });
});
