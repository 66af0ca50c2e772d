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

  it('a run cut by the scope is reported by the open alarm of the whole run, not raised again', () => {
    // Reverse energy all October; a backfill recomputes 14 October (scope = that day's intervals).
    const HOUR = 3_600_000;
    const run = { rule: 'reverse-energy' as const, objectKind: 'point' as const, objectId: 'E', limit: 0, severity: 'warning' as const, detail: 'ap_exp on import-only point (steps)' };
    const month: OpenAlarm = { ...run, id: 'm', state: 'open', periodStart: 0, periodEnd: 744 * HOUR, observed: 9000 };
    const day: AlarmScope = { rules: ['reverse-energy'], objects: [{ kind: 'point', id: 'E' }], from: 312 * HOUR, to: 336 * HOUR };
    const clipped = { ...run, periodStart: 312 * HOUR, periodEnd: 336 * HOUR, observed: 300 };
    expect(reconcileAlarms([month], [clipped], day)).toEqual({ raise: [], update: [], clear: [] });
    // A run cut at the day's start by an alarm that begins there too: nothing goes on before the
    // cut, so it is a run of its own.
    const fromDay: OpenAlarm = { ...month, id: 'f', periodStart: 312 * HOUR };
    const endsEarly = { ...clipped, periodEnd: 330 * HOUR };
    expect(reconcileAlarms([fromDay], [endsEarly], day).raise).toEqual([endsEarly]);
    // A run that starts and ends inside the day is an alarm of its own.
    const inside = { ...clipped, periodStart: 320 * HOUR, periodEnd: 330 * HOUR };
    expect(reconcileAlarms([month], [inside], day).raise).toEqual([inside]);
    // The whole month recomputed: the run is the open alarm itself, an alarm cut to the day clears.
    const cut: OpenAlarm = { ...clipped, id: 'd', state: 'open' };
    const all: AlarmScope = { ...day, from: 0, to: 744 * HOUR };
    expect(reconcileAlarms([month, cut], [{ ...run, periodStart: 0, periodEnd: 744 * HOUR, observed: 9000 }], all)).toEqual({ raise: [], update: [], clear: [cut] });
  });
});
