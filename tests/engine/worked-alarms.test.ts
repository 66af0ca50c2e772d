/** Worked examples of objects, rules and alarm reconciliation. */
import { describe, expect, it } from 'vitest';
import {
  busImbalanceCandidates, energyContext, intervalEnergy, objectEnergy, ratToDecimal, reconcileAlarms, lineLossCandidates,
  type AlarmCandidate, type AlarmScope, type OpenAlarm, type PointData, type StatObject,
} from '../../calc-engine/index.ts';
import { at, pointData, regs } from './fixtures.ts';

const inst = (meterId: string) => [{ meterId, from: at('2024-01-01T00:00'), capacity: 1e8 }];
const snaps = (vals: [string, number][]) => vals.map(([t, v]) => ({ ts: at(t), values: regs({ 'ap_imp.total': v }) }));

describe('a bus whose imbalance crosses its limit, then clears after backfill', () => {
  // 110 kV bus: limit ±2 %. In: line L1. Out: feeders F1, F2. M = 1, 15-min intervals.
  //   L1: 10:00 1000.00, 10:15 1010.00, 10:30 1020.00  → +10.00, +10.00
  //   F1: 10:00  500.00, 10:15  505.00, 10:30  508.00  → +5.00, +3.00
  //   F2: 10:00  200.00, 10:15  204.90, 10:30  211.80  → +4.90, +6.90
  // Complete data: out 9.90 in both intervals, loss 0.10 / 10.00 = 1 %: no alarm.
  // F2's 10:15 row arrives late. Meanwhile it is interpolated: 200.00 + ⌊1180 × 15/30⌋ = 205.90,
  // so F2 shows +5.90 and +5.90: interval 1 out 10.90 → −9 %; interval 2 out 8.90 → +11 %.
  // Both beyond ±2 % by more than the 2 % width: two critical alarms. After the backfill the
  // recomputation gives 1 % again and both alarms clear.
  const bus: StatObject = {
    id: 'BUS-110-I', kind: 'bus', voltageKv: 110,
    members: [
      { pointId: 'L1', direction: 'ap_imp', role: 'in' },
      { pointId: 'F1', direction: 'ap_imp', role: 'out' },
      { pointId: 'F2', direction: 'ap_imp', role: 'out' },
    ],
  };
  const L1 = pointData({ id: 'L1' }, inst('m1'), [], snaps([['2024-03-12T10:00', 100_000], ['2024-03-12T10:15', 101_000], ['2024-03-12T10:30', 102_000]]));
  const F1 = pointData({ id: 'F1' }, inst('m2'), [], snaps([['2024-03-12T10:00', 50_000], ['2024-03-12T10:15', 50_500], ['2024-03-12T10:30', 50_800]]));
  const F2full: [string, number][] = [['2024-03-12T10:00', 20_000], ['2024-03-12T10:15', 20_490], ['2024-03-12T10:30', 21_180]];
  const F2late = pointData({ id: 'F2' }, inst('m3'), [], snaps(F2full.filter(([t]) => t !== '2024-03-12T10:15')));
  const F2back = pointData({ id: 'F2' }, inst('m3'), [], snaps(F2full));
  const ends = [at('2024-03-12T10:15'), at('2024-03-12T10:30')];
  const scope: AlarmScope = { rules: ['bus-imbalance'], objects: [{ kind: 'bus', id: bus.id }], from: at('2024-03-12T10:00'), to: at('2024-03-12T10:30') };

  function evaluate(points: PointData[]): { rates: string[]; candidates: AlarmCandidate[] } {
    const ctx = energyContext(points);
    const configs = new Map(points.map((p) => [p.config.id, p.config]));
    const rates: string[] = [];
    const candidates: AlarmCandidate[] = [];
    for (const end of ends) {
      const figures = new Map(points.map((p) => [p.config.id, intervalEnergy(ctx, p.config.id, end)]));
      const fig = objectEnergy(bus, end - 900_000, end, figures, configs);
      rates.push(ratToDecimal(fig.lossRate!, 2, -2));
      candidates.push(...busImbalanceCandidates(bus, fig));
    }
    return { rates, candidates };
  }

  it('raises two alarms on estimated data and clears them after backfill', () => {
    const first = evaluate([L1, F1, F2late]);
    expect(first.rates).toEqual(['-9.00', '11.00']);
    expect(first.candidates.map((c) => [c.observed, c.limit, c.severity])).toEqual([[-9.000000000000002, -2, 'critical'], [11, 2, 'critical']].map(([o, l, s]) => [expect.closeTo(o as number, 9), l, s]));
    const changes1 = reconcileAlarms([], first.candidates, scope);
    expect(changes1.raise).toHaveLength(2);
    const open: OpenAlarm[] = changes1.raise.map((c, i) => ({ ...c, id: `a${i}`, state: 'open' }));
    // recomputing with the same data changes nothing
    expect(reconcileAlarms(open, evaluate([L1, F1, F2late]).candidates, scope)).toEqual({ raise: [], update: [], clear: [] });
    const second = evaluate([L1, F1, F2back]);
    expect(second.rates).toEqual(['1.00', '1.00']);
    expect(second.candidates).toEqual([]);
    const changes2 = reconcileAlarms(open, second.candidates, scope);
    expect(changes2.clear.map((a) => a.id)).toEqual(['a0', 'a1']);
    expect(changes2.raise).toEqual([]);
  });

  it('a line with negative loss is suspicious', () => {
    const line: StatObject = { id: 'LINE-1', kind: 'line', members: [{ pointId: 'F1', direction: 'ap_imp', role: 'in' }, { pointId: 'L1', direction: 'ap_imp', role: 'out' }] };
    const ctx = energyContext([L1, F1]);
    const figures = new Map([L1, F1].map((p) => [p.config.id, intervalEnergy(ctx, p.config.id, ends[0]!)]));
    const fig = objectEnergy(line, ends[0]! - 900_000, ends[0]!, figures, new Map());
    // in 5.00, out 10.00: loss −5.00, rate −100 % < 0 % → critical
    expect(lineLossCandidates(fig)).toMatchObject([{ rule: 'line-loss', objectKind: 'line', observed: -100, limit: 0, severity: 'critical' }]);
  });

  it('a line that delivers energy with none sent is suspicious too', () => {
    // Sending end D stands still (0.00), receiving end L1 takes 10.00: no loss rate (input 0),
    // loss 0.00 − 10.00 = −10.00 kWh: critical, observed as that loss against 0.
    const D = pointData({ id: 'D' }, inst('m4'), [], snaps([['2024-03-12T10:00', 70_000], ['2024-03-12T10:15', 70_000]]));
    const line: StatObject = { id: 'LINE-2', kind: 'line', members: [{ pointId: 'D', direction: 'ap_imp', role: 'in' }, { pointId: 'L1', direction: 'ap_imp', role: 'out' }] };
    const ctx = energyContext([L1, D]);
    const figures = new Map([L1, D].map((p) => [p.config.id, intervalEnergy(ctx, p.config.id, ends[0]!)]));
    const fig = objectEnergy(line, ends[0]! - 900_000, ends[0]!, figures, new Map());
    expect(fig.lossRate).toBe(null);
    expect(lineLossCandidates(fig)).toMatchObject([{ rule: 'line-loss', objectKind: 'line', observed: -10, limit: 0, severity: 'critical', detail: 'energy out with none in: loss (kWh)' }]);
    // the sending end's direction left out of computation: no input is counted, nothing to judge
    const uncounted = new Map([['D', { ...D.config, participates: { ...D.config.participates, ap_imp: false } }]]);
    expect(lineLossCandidates(objectEnergy(line, ends[0]! - 900_000, ends[0]!, figures, uncounted))).toEqual([]);
    // nothing in and nothing out: nothing to say
    const idle = objectEnergy({ ...line, members: [line.members[0]!] }, ends[0]! - 900_000, ends[0]!, figures, new Map());
    expect(lineLossCandidates(idle)).toEqual([]);
  });
});

describe('alarm reconciliation', () => {
  const base = { rule: 'energy-limit' as const, objectKind: 'point' as const, objectId: 'P', periodStart: 0, periodEnd: 86_400_000, limit: 100, severity: 'warning' as const };
  const scope: AlarmScope = { rules: ['energy-limit'], objects: [{ kind: 'point', id: 'P' }], from: 0, to: 86_400_000 };
  it('updates a changed alarm, leaves out-of-scope alarms alone, clears duplicates', () => {
    const open: OpenAlarm[] = [
      { ...base, id: '1', state: 'acknowledged', observed: 120 },
      { ...base, id: '2', state: 'open', observed: 120 },
      { ...base, id: '3', state: 'open', objectId: 'Q', observed: 150 },
    ];
    const ch = reconcileAlarms(open, [{ ...base, observed: 130 }], scope);
    expect(ch.raise).toEqual([]);
    expect(ch.update.map((u) => [u.alarm.id, u.candidate.observed])).toEqual([['1', 130]]);
    expect(ch.clear.map((a) => a.id)).toEqual(['2']);
  });

  describe('runs cut by the scope join the open alarm of their run (runs.ts)', () => {
    // Missing data on point G, 15-minute intervals: observed = intervals, critical above 96.
    const HOUR = 3_600_000;
    const run = { rule: 'missing-data' as const, objectKind: 'point' as const, objectId: 'G', limit: 0, detail: 'missing intervals' };
    const alarm = (id: string, from: number, to: number): OpenAlarm =>
      ({ ...run, id, state: 'acknowledged', periodStart: from * HOUR, periodEnd: to * HOUR, observed: (to - from) * 4, severity: (to - from) * 4 > 96 ? 'critical' : 'warning' });
    const found = (from: number, to: number): AlarmCandidate =>
      ({ ...run, periodStart: from * HOUR, periodEnd: to * HOUR, observed: (to - from) * 4, severity: (to - from) * 4 > 96 ? 'critical' : 'warning' });
    const scope = (from: number, to: number): AlarmScope => ({ rules: ['missing-data'], objects: [{ kind: 'point', id: 'G' }], from: from * HOUR, to: to * HOUR });

    it('a gap all October, 14 October recomputed and still missing: nothing changes', () => {
      // Open: (0 h, 744 h], 2 976 intervals. The day (312 h, 336 h] finds its 96 intervals
      // missing; joined with the alarm's parts before and after the day: (0 h, 744 h] again.
      expect(reconcileAlarms([alarm('m', 0, 744)], [found(312, 336)], scope(312, 336))).toEqual({ raise: [], update: [], clear: [] });
    });

    it('14 October backfilled: the alarm keeps (0 h, 312 h] and a second one takes (336 h, 744 h]', () => {
      // Nothing missing in the day: the parts outside it are two runs, 312 × 4 = 1 248 and
      // 408 × 4 = 1 632 intervals, both critical. The acknowledged alarm keeps the first.
      const ch = reconcileAlarms([alarm('m', 0, 744)], [], scope(312, 336));
      expect(ch.update.map((u) => [u.alarm.id, u.candidate.periodStart / HOUR, u.candidate.periodEnd / HOUR, u.candidate.observed, u.candidate.severity])).toEqual([['m', 0, 312, 1248, 'critical']]);
      expect(ch.raise.map((c) => [c.periodStart / HOUR, c.periodEnd / HOUR, c.observed, c.severity])).toEqual([[336, 744, 1632, 'critical']]);
      expect(ch.clear).toEqual([]);
    });

    it('new readings carry a gap on: the alarm is extended in place, not raised again', () => {
      // Open (0 h, 10 h], 40 intervals; the next batch's window (10 h, 12 h] is missing too:
      // (0 h, 12 h], 48 intervals, still a warning.
      const ch = reconcileAlarms([alarm('g', 0, 10)], [found(10, 12)], scope(10, 12));
      expect(ch.update.map((u) => [u.alarm.id, u.candidate.periodStart / HOUR, u.candidate.periodEnd / HOUR, u.candidate.observed])).toEqual([['g', 0, 12, 48]]);
      expect([ch.raise, ch.clear]).toEqual([[], []]);
    });

    it('a recomputation that finds two runs one: the earlier alarm takes the run, the later clears', () => {
      // Open (0 h, 10 h] and (11 h, 20 h]; a correction empties (10 h, 11 h] too: the window
      // (9 h, 12 h] is missing whole, and joins both: (0 h, 20 h], 80 intervals.
      const later = alarm('b', 11, 20);
      const ch = reconcileAlarms([alarm('a', 0, 10), later], [found(9, 12)], scope(9, 12));
      expect(ch.update.map((u) => [u.alarm.id, u.candidate.periodStart / HOUR, u.candidate.periodEnd / HOUR, u.candidate.observed])).toEqual([['a', 0, 20, 80]]);
      expect(ch.clear).toEqual([later]);
      expect(ch.raise).toEqual([]);
    });

    it('a run inside the scope that got shorter keeps its alarm', () => {
      const ch = reconcileAlarms([alarm('s', 2, 4)], [found(2, 3)], scope(0, 10));
      expect(ch.update.map((u) => [u.alarm.id, u.candidate.periodEnd / HOUR, u.candidate.observed])).toEqual([['s', 3, 4]]);
      expect([ch.raise, ch.clear]).toEqual([[], []]);
    });

    it('rules that do not report runs are not joined', () => {
      const day: OpenAlarm = { ...base, id: 'd', state: 'open', observed: 120, periodStart: -86_400_000, periodEnd: 0 };
      expect(reconcileAlarms([day], [{ ...base, observed: 130 }], scope(0, 24))).toEqual({ raise: [{ ...base, observed: 130 }], update: [], clear: [] });
    });
  });
});
