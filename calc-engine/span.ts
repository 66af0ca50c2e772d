/**
 * Energy of one point over any window (a, b] from the readings at its edges, epoch by epoch:
 * Σ (R_e(b') − R_e(a')) × M_e with a' = max(a, e.from), b' = min(b, e.to). This one function is
 * the interval, daily and monthly rule, the meter-replacement split and the CT/PT-change split.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { FigureBuilder, type EnergyFigure } from './figure.ts';
import { intervalMs, maxEstimateGapMs, type PointData } from './point.ts';
import { ACTUAL, combineQuality, missing, NOT_READ } from './quality.ts';
import { rational, ratMul } from './rational.ts';
import { epochReadRegisters, epochRegisterAt } from './readings.ts';
import { maxSteps, registerDelta } from './rollover.ts';

/** Energy of point `p` over (a, b] for all 20 registers, with quality, provenance and events. */
export function spanEnergy(p: PointData, a: number, b: number): EnergyFigure {
  const out = new FigureBuilder();
  const id = p.config.id;
  if (b <= a) return out.build(id, a, b);
  const gap = maxEstimateGapMs(p.config);
  const dt = intervalMs(p.config);
  let covered = a;
  for (const e of p.epochs) {
    const lo = Math.max(a, e.from);
    const hi = Math.min(b, e.to);
    if (lo >= hi) continue;
    if (lo > covered) unmetered(out, p, covered, lo);
    covered = Math.max(covered, hi);
    const read = epochReadRegisters(p.series, e);
    const limit = maxSteps(p.config.maxIntervalEnergy, Math.ceil((hi - lo) / dt), e.multiplier.num, e.multiplier.den, e.capacity);
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const r0 = epochRegisterAt(p.series, e, lo, r, gap);
      const r1 = epochRegisterAt(p.series, e, hi, r, gap);
      const q = combineQuality(r0.quality, r1.quality);
      if (q.kind === 'missing') {
        out.add(r, null, read[r] ? q : NOT_READ);
        continue;
      }
      const d = registerDelta(r0.value, r1.value, e.capacity, limit);
      if (d.kind !== 'normal') {
        out.events.push({ kind: d.kind, pointId: id, meterId: e.meterId, register: r, from: lo, to: hi, fromValue: r0.value, toValue: r1.value, multiplier: e.multiplier });
      }
      if (d.kind === 'decrease') out.add(r, null, missing('register-decrease'));
      else out.add(r, ratMul(rational(d.delta), e.multiplier), q);
    }
    out.sources.push({ pointId: id, meterId: e.meterId, from: lo, to: hi, role: 'own' });
  }
  if (covered < b) unmetered(out, p, covered, b);
  return out.build(id, a, b);
}

/**
 * A stretch [x, y) with no meter installed: before the point's first installation or after its
 * final removal the point is not connected, so it takes no energy (a new connection's first day
 * is the energy from its initial reading). Between a removal and the next installation energy
 * flowed unmetered, so it is missing — as it is where readings exist beyond the first
 * installation or the final removal (the archive lacks a meter: billing zero would hide it).
 */
function unmetered(out: FigureBuilder, p: PointData, x: number, y: number): void {
  const { ts } = p.series;
  const first = p.epochs[0], last = p.epochs.at(-1);
  const before = !!first && y <= first.from && !(ts.length > 0 && ts[0]! < first.from);
  const after = !!last && x >= last.to && !(ts.length > 0 && ts[ts.length - 1]! > last.to);
  const outside = before || after;
  for (let r = 0; r < REGISTER_COUNT; r++) out.add(r, outside ? rational(0) : null, outside ? ACTUAL : missing('no-installation'));
}
