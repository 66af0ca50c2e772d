/**
 * Worked examples of the energy rules, each checked by hand in its comment. Registers are in
 * hundredths (100 = 1.00 kWh); energies print in kWh with ratToDecimal(e, 2, 2).
 */
import { describe, expect, it } from 'vitest';
import {
  energyContext, dailyEnergy, intervalEnergies, statisticalScheme, spanEnergy, decreaseCandidates,
} from '../../calc-engine/index.ts';
import { at, ct, IMP, kwh, linearSnapshots, pointData, regs } from './fixtures.ts';

const scheme = statisticalScheme();

describe('meter swap mid-day', () => {
  // Point P1, Europe/Berlin, 2024-03-12. Old meter M-OLD behind CT 100/5 (M = 20) reads
  // 1000.00 kWh at 00:00 and is removed at 10:30 with final reading 1012.50 kWh. New meter M-NEW
  // behind CT 200/5 (M = 40) is fitted at 10:30 with initial reading 0.00 and reads 20.00 kWh at
  // 24:00. Day energy = (1012.50 − 1000.00) × 20 + (20.00 − 0.00) × 40 = 250 + 800 = 1050.00 kWh.
  // A raw row stamped exactly 10:30 (which meter sent it?) is ignored: the records decide.
  const tc = at('2024-03-12T10:30');
  const p = pointData(
    { id: 'P1' },
    [
      { meterId: 'M-OLD', from: at('2024-01-01T00:00'), to: tc, final: regs({ 'ap_imp.total': 101_250 }), capacity: 1e8 },
      { meterId: 'M-NEW', from: tc, initial: regs({ 'ap_imp.total': 0 }), capacity: 1e8 },
    ],
    [
      { from: at('2024-01-01T00:00'), ratios: ct(100) },
      { from: tc, ratios: ct(200) },
    ],
    [
      { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 100_000 }) },
      { ts: tc, values: regs({ 'ap_imp.total': 999_999 }) },
      { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': 2_000 }) },
    ],
  );
  const ctx = energyContext([p]);

  it('splits the day at the swap', () => {
    const day = dailyEnergy(ctx, scheme, 'P1', '2024-03-12');
    expect(kwh(day)).toBe('1050.00');
    expect(day.registers[IMP]!.quality.kind).toBe('actual');
    expect(day.sources.map((s) => [s.meterId, s.from, s.to])).toEqual([
      ['M-OLD', at('2024-03-12T00:00'), tc],
      ['M-NEW', tc, at('2024-03-13T00:00')],
    ]);
  });

  it('the two halves add up to the day', () => {
    const a = spanEnergy(p, at('2024-03-12T00:00'), tc);
    const b = spanEnergy(p, tc, at('2024-03-13T00:00'));
    expect([kwh(a), kwh(b)]).toEqual(['250.00', '800.00']);
  });
});

describe('CT change', () => {
  // Point P2, one meter; CT 100/5 (M = 20) until 14:00, then 150/5 (M = 30), the change recorded
  // with reading 5000.00 kWh. Day 2024-03-12: 4900.00 at 00:00, 5030.00 at 24:00.
  // Energy = (5000.00 − 4900.00) × 20 + (5030.00 − 5000.00) × 30 = 2000 + 900 = 2900.00 kWh.
  // Without the split (M = 30 throughout) it would be 130 × 30 = 3900: 1000 kWh too much.
  const tc = at('2024-03-12T14:00');
  const p = pointData(
    { id: 'P2' },
    [{ meterId: 'M', from: at('2024-01-01T00:00'), capacity: 1e8 }],
    [
      { from: at('2024-01-01T00:00'), ratios: ct(100) },
      { from: tc, ratios: ct(150), reading: regs({ 'ap_imp.total': 500_000 }) },
    ],
    [
      { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 490_000 }) },
      { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': 503_000 }) },
    ],
  );
  it('splits at the ratio change', () => {
    expect(kwh(dailyEnergy(energyContext([p]), scheme, 'P2', '2024-03-12'))).toBe('2900.00');
  });
});

describe('rollover', () => {
  // Register capacity 1e8 hundredths (999 999.99 kWh, a 6+2 digit register), M = 1, physical
  // maximum 100.00 kWh per interval. 00:00 reads 999 990.00, 00:15 reads 5.00:
  // C − R(a) + R(b) = 100 000 000 − 99 999 000 + 500 = 1 500 → 15.00 kWh ≤ 100.00: a wrap.
  // 00:30 reads 3.00 (below 5.00): the wrap would be 999 998.00 kWh > 100.00: a register
  // decrease — no energy for that interval, an outlier alarm.
  const p = pointData(
    { id: 'P3', maxIntervalEnergy: 10_000 },
    [{ meterId: 'M', from: at('2024-01-01T00:00'), capacity: 1e8 }],
    [],
    [
      { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 99_999_000 }) },
      { ts: at('2024-03-12T00:15'), values: regs({ 'ap_imp.total': 500 }) },
      { ts: at('2024-03-12T00:30'), values: regs({ 'ap_imp.total': 300 }) },
    ],
  );
  const ivs = intervalEnergies(energyContext([p]), 'P3', at('2024-03-12T00:00'), at('2024-03-12T00:30'));
  it('wraps when plausible, refuses otherwise', () => {
    expect(ivs.map((f) => kwh(f))).toEqual(['15.00', null]);
    expect(ivs[0]!.events.map((e) => e.kind)).toEqual(['rollover']);
    expect(ivs[1]!.registers[IMP]!.quality).toEqual({ kind: 'missing', reasons: ['register-decrease'] });
    const alarms = decreaseCandidates(ivs[1]!.events);
    // 500 → 300 steps: −2.00 kWh (M = 1), reported in primary energy.
    expect(alarms).toMatchObject([{ rule: 'outlier', objectId: 'P3', observed: -2, limit: 0, severity: 'critical' }]);
  });
});

describe('a decrease inside a day is not a wrap of the day', () => {
  // Capacity 1e8 steps (999 999.99 kWh), M = 1, the point's maximum per interval the archive's
  // default, a tenth of the register (1e7 steps): a day of 96 intervals may hold 9.6e8 steps,
  // more than the whole register.
  // Q reads 500 000.00 kWh at 00:00 and 499 990.00 at 12:00 and at 24:00 (a register decrease
  // of 10.00 kWh). Taken as a wrap the day would gain C − R(a) + R(b) = 1e8 − 5e7 + 49 999 000
  // = 99 999 000 steps = 999 990.00 kWh; that is the longer way round the dial (more than half
  // the register), so the day and the month are missing (register-decrease), not 999 990.00.
  // W wraps for real: 999 900.00 at 00:00, 999 990.00 at 12:00, 10.00 at 24:00: the day gains
  // 1e8 − 99 990 000 + 1 000 = 11 000 steps = 110.00 kWh, the shorter way round: a rollover.
  const inst = (meterId: string) => [{ meterId, from: at('2024-01-01T00:00'), capacity: 1e8 }];
  const series = (a: number, b: number, c: number) => [
    { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': a }) },
    { ts: at('2024-03-12T12:00'), values: regs({ 'ap_imp.total': b }) },
    { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': c }) },
  ];
  const q = pointData({ id: 'Q', maxIntervalEnergy: 1e7 }, inst('MQ'), [], series(50_000_000, 49_999_000, 49_999_000));
  const w = pointData({ id: 'W', maxIntervalEnergy: 1e7 }, inst('MW'), [], series(99_990_000, 99_999_000, 1_000));
  const ctx = energyContext([q, w]);
  const scheme = statisticalScheme();
  it('leaves the day missing on a decrease, and takes a wrap that is the shorter way round', () => {
    const day = dailyEnergy(ctx, scheme, 'Q', '2024-03-12');
    expect(kwh(day)).toBe(null);
    expect(day.registers[IMP]!.quality).toEqual({ kind: 'missing', reasons: ['register-decrease'] });
    expect(day.events.map((e) => e.kind)).toEqual(['decrease']);
    expect(kwh(spanEnergy(q, at('2024-03-12T00:00'), at('2024-03-13T00:00')))).toBe(null);
    const wrapped = dailyEnergy(ctx, scheme, 'W', '2024-03-12');
    expect(kwh(wrapped)).toBe('110.00');
    expect(wrapped.events.map((e) => e.kind)).toEqual(['rollover']);
  });
});

describe('23 h and 25 h days (Europe/Berlin)', () => {
  // The register gains 1.00 kWh every 15 minutes. 2024-03-31 runs 00:00 CET → 00:00 CEST:
  // 23 h = 92 intervals → 92.00 kWh. 2024-10-27 runs 00:00 CEST → 00:00 CET: 25 h = 100
  // intervals → 100.00 kWh. An ordinary day: 96.00 kWh.
  const step = 15 * 60_000;
  const from = at('2024-03-30T00:00');
  const to = at('2024-11-01T00:00');
  const start = from;
  const p = pointData({ id: 'P4' }, [{ meterId: 'M', from: at('2024-01-01T00:00'), capacity: 1e9 }], [], linearSnapshots(from, to, step, (_i, t) => ((t - start) / step) * 100));
  const ctx = energyContext([p]);
  it.each([
    ['2024-03-31', '92.00', 23],
    ['2024-04-01', '96.00', 24],
    ['2024-10-27', '100.00', 25],
  ])('%s has %s kWh', (date, expected, hours) => {
    const d = dailyEnergy(ctx, scheme, 'P4', date);
    expect(kwh(d)).toBe(expected);
    expect((d.to - d.from) / 3_600_000).toBe(hours);
  });
  it('a missing day-start reading is interpolated (estimated) when the gap is short', () => {
    // Drop the 2024-04-02 00:00 row: anchors 23:45 (k) and 00:15 (k+2) are 30 min apart ≤ 5 × 15 min,
    // the interpolation gives exactly k+1 → still 96.00, but marked estimated.
    const gapTs = at('2024-04-02T00:00');
    const q = pointData({ id: 'P4' }, [{ meterId: 'M', from: at('2024-01-01T00:00'), capacity: 1e9 }], [],
      linearSnapshots(from, to, step, (_i, t) => ((t - start) / step) * 100).filter((s) => s.ts !== gapTs));
    const d = dailyEnergy(energyContext([q]), scheme, 'P4', '2024-04-01');
    expect(kwh(d)).toBe('96.00');
    expect(d.registers[IMP]!.quality).toEqual({ kind: 'estimated', methods: ['linear-interpolation'] });
  });
});
