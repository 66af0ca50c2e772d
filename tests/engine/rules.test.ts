/** Day-level rules, each on a small hand-checked case. */
import { describe, expect, it } from 'vitest';
import {
  clockDriftCandidates, dailyEnergy, energyContext, energyLimitCandidates, intervalEnergies, intervalSumCandidates, missingReadingCandidates,
  multiplier, ratToDecimal, reverseEnergyFigureCandidates, statisticalScheme, touMismatchFigureCandidates, defaultBusLimits, rational,
  lossRateCandidate, outlierCandidates, pointChunk, runKernel, type ObjectFigure,
} from '../../calc-engine/index.ts';
import { at, ct, linearSnapshots, pointData, regs } from './fixtures.ts';

const scheme = statisticalScheme();
const inst = [{ meterId: 'M', from: at('2024-01-01T00:00'), capacity: 1e8 }];

describe('day-level rules', () => {
  // CT 100/5 (M = 20). Day 2024-03-12: ap_imp.total +100.00 kWh secondary → 2000.00 kWh primary;
  // tiers: peak +60.00, valley +39.90 → Σ tiers 99.90, 10 steps short of the total (> 4).
  // ap_exp.total +0.05 secondary → 1.00 kWh primary on an import-only point.
  const P = pointData({ id: 'P', importOnly: true }, inst, [{ from: 0, ratios: ct(100) }], [
    { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 10_000, 'ap_imp.peak': 4_000, 'ap_imp.valley': 6_000, 'ap_exp.total': 0 }) },
    { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': 20_000, 'ap_imp.peak': 10_000, 'ap_imp.valley': 9_990, 'ap_exp.total': 5, 'ap_exp.flat': 5 }) },
  ]);
  const day = dailyEnergy(energyContext([P]), scheme, 'P', '2024-03-12');
  const m = multiplier(ct(100));
  it('energy-limit: 2000 kWh above an upper limit of 1500 (excess 500 ≤ 1500: warning)', () => {
    expect(energyLimitCandidates(day, [{ register: 'ap_imp.total', upper: 1500 }])).toMatchObject([{ rule: 'energy-limit', observed: 2000, limit: 1500, severity: 'warning' }]);
    expect(energyLimitCandidates(day, [{ register: 'ap_imp.total', lower: 100, upper: 5000 }])).toEqual([]);
  });
  it('energy-limit: days with no meter for part or all of them are not judged', () => {
    // N's meter is installed on 12 March 2024 at 12:00 reading 0.00 and reads 10.00 kWh at
    // midnight and 30.00 on the 14th: 11 March is 0 (not connected), 12 March holds 12 hours
    // (10.00), 13 March is a whole day (20.00). A lower limit of 15 kWh judges the 13th alone.
    const N = pointData({ id: 'N' }, [{ meterId: 'MN', from: at('2024-03-12T12:00'), initial: regs({}), capacity: 1e8 }], [], [
      { ts: at('2024-03-13T00:00'), values: regs({ 'ap_imp.total': 1_000 }) },
      { ts: at('2024-03-14T00:00'), values: regs({ 'ap_imp.total': 3_000 }) },
    ]);
    const ctx = energyContext([N]);
    const judged = (d: string, lower: number) => energyLimitCandidates(dailyEnergy(ctx, scheme, 'N', d), [{ register: 'ap_imp.total', lower }]).map((c) => c.observed);
    expect([judged('2024-03-11', 15), judged('2024-03-12', 15), judged('2024-03-13', 25)]).toEqual([[], [], [20]]);
  });
  it('tou-mismatch: 10 steps against a tolerance of 4', () => {
    expect(touMismatchFigureCandidates(day, m)).toMatchObject([{ rule: 'tou-mismatch', observed: 10, limit: 4, severity: 'critical' }]);
  });
  it('reverse-energy: 1.00 kWh export on an import-only point', () => {
    expect(reverseEnergyFigureCandidates(day, m)).toMatchObject([{ rule: 'reverse-energy', observed: 1, limit: 0 }]);
  });
  it('bus limits by voltage', () => {
    expect([defaultBusLimits(500), defaultBusLimits(220), defaultBusLimits(110), defaultBusLimits(35)].map((l) => l.upperPercent)).toEqual([1, 1, 2, 2]);
  });
});

describe('loss rate in per cent, exactly', () => {
  // A line taking in 1000.00 kWh and giving out 965.00: loss 35.00 kWh, rate 3.5 % exactly —
  // as a float product 0.035 × 100 is 3.5000000000000004, which crossed a limit of 3.5.
  const line = (outHundredths: bigint): ObjectFigure => ({
    objectId: 'L1', kind: 'line', from: 0, to: 900_000, quality: { kind: 'actual' }, members: [],
    input: { energy: rational(100_000n), quality: { kind: 'actual' } }, output: { energy: rational(outHundredths), quality: { kind: 'actual' } },
    loss: { energy: rational(100_000n - outHundredths), quality: { kind: 'actual' } }, lossRate: rational(100_000n - outHundredths, 100_000n),
  }) as unknown as ObjectFigure;
  it('3.5 % is within an upper limit of 3.5; 2.9 % against 2.8 is observed as 2.9', () => {
    expect(lossRateCandidate('line-loss', line(96_500n), { lowerPercent: 0, upperPercent: 3.5 })).toEqual([]);
    expect(lossRateCandidate('line-loss', line(97_100n), { lowerPercent: 0, upperPercent: 2.8 })).toMatchObject([{ observed: 2.9, limit: 2.8 }]);
  });
});

describe('missing data and interval sum', () => {
  // Hourly readings 00:00 … 24:00 with 05:00 and 06:00 lost: intervals ending 05:00, 06:00 and
  // 07:00 have no energy → one alarm 04:00 → 07:00 with 3 intervals.
  const hour = 3_600_000;
  const from = at('2024-03-12T00:00');
  const snaps = linearSnapshots(from, at('2024-03-13T00:00'), hour, (i) => i * 100).filter((s) => s.ts !== from + 5 * hour && s.ts !== from + 6 * hour);
  const P = pointData({ id: 'P', intervalMinutes: 60, maxEstimateIntervals: 0 }, inst, [], snaps);
  it('finds the gap', () => {
    const got = missingReadingCandidates('P', P.series, from, from + 24 * hour, hour);
    expect(got.map((c) => [(c.periodStart - from) / hour, (c.periodEnd - from) / hour, c.observed])).toEqual([[4, 7, 3]]);
  });
  it('interval sum vs register delta: skipped while intervals are missing, equal when complete', () => {
    const ctx = energyContext([P]);
    const day = dailyEnergy(ctx, scheme, 'P', '2024-03-12');
    expect(intervalSumCandidates(day, intervalEnergies(ctx, 'P', from, from + 24 * hour), rational(1))).toEqual([]);
    // a frozen day register that disagrees: boundary delta 24.00 vs intervals 23.00 → −1.00 kWh
    const Q = pointData({ id: 'Q', intervalMinutes: 60 }, inst, [], linearSnapshots(from, at('2024-03-13T00:00'), hour, (i) => i * 100));
    const ivs = intervalEnergies(energyContext([Q]), 'Q', from, from + 23 * hour);
    const got = intervalSumCandidates({ ...day, pointId: 'Q' }, ivs, rational(1));
    expect(got.map((c) => [c.observed, c.detail])).toEqual([[-1, 'ap_imp.total Σ intervals − delta (kWh)']]);
    expect(ratToDecimal(day.registers[0]!.energy!, 2, 2)).toBe('24.00');
  });
});

describe('clock drift', () => {
  it('flags the worst drift beyond 120 s', () => {
    const d = at('2024-03-12T00:00');
    const samples = [{ readAt: d + 1000, meterClock: d + 31_000 }, { readAt: d + 900_000, meterClock: d + 900_000 - 250_000 }];
    expect(clockDriftCandidates('T1', d, d + 86_400_000, samples)).toMatchObject([{ rule: 'clock-drift', objectKind: 'terminal', observed: -250, limit: -120, severity: 'critical' }]);
    expect(clockDriftCandidates('T1', d, d + 86_400_000, samples.slice(0, 1))).toEqual([]);
  });
});

describe('outlier energies in primary kWh', () => {
  // CT 100/5 (M = 20), maxIntervalEnergy 50.00 kWh. The interval 00:15–00:30 counts 3.00 kWh
  // secondary = 60.00 kWh primary: above the maximum, reported as 60 against 50 (not 300 steps
  // against ⌊5000 / 20⌋ = 250 steps).
  const P = pointData({ id: 'P', maxIntervalEnergy: 5_000 }, inst, [{ from: 0, ratios: ct(100) }], [
    { ts: at('2024-03-12T00:00'), values: regs({ 'ap_imp.total': 10_000 }) },
    { ts: at('2024-03-12T00:15'), values: regs({ 'ap_imp.total': 10_100 }) },
    { ts: at('2024-03-12T00:30'), values: regs({ 'ap_imp.total': 10_400 }) },
  ]);
  it('observed and limit as the archive gives the maximum', () => {
    const from = at('2024-03-12T00:00');
    const pc = pointChunk([P], from, 2);
    const view = { chunk: pc.chunk, result: runKernel(pc.chunk), rowPoints: pc.rowPoints, firstTs: from, stepMs: 900_000, rowEnergy: pc.rowEnergy };
    expect(outlierCandidates(view).filter((c) => c.detail?.startsWith('above-max'))).toMatchObject([{ observed: 60, limit: 50, detail: 'above-max (kWh)' }]);
  });
});
