/**
 * Energy of a point over any window with bypass and manual energy applied: the window is cut at
 * every bypass and set-energy edge; each piece takes its energy from the point itself, from the
 * bypass point carrying it, from nothing (this point is the bypass, its energy belongs to the
 * feeder), or from a set record; supplements are added on top. Every piece is additive, so the
 * figures of adjacent windows add up exactly to the figure of their union.
 */
import { REGISTER_COUNT, registerIndex } from '../schema/registers.ts';
import { adjustmentsFor, adjustmentShare, type Adjustment } from './adjustments.ts';
import { bypassWindows, type BypassEvent } from './bypass.ts';
import { FigureBuilder, type EnergyFigure } from './figure.ts';
import type { PointData } from './point.ts';
import { ACTUAL, estimated, isNotRead } from './quality.ts';
import { ZERO } from './rational.ts';
import { spanEnergy } from './span.ts';

/** The data a computation runs on: points, bypass events and manual records. */
export interface EnergyContext {
  readonly points: ReadonlyMap<string, PointData>;
  readonly bypasses: readonly BypassEvent[];
  readonly adjustments: readonly Adjustment[];
}

/** Build a context from lists. */
export function energyContext(points: readonly PointData[], bypasses: readonly BypassEvent[] = [], adjustments: readonly Adjustment[] = []): EnergyContext {
  return { points: new Map(points.map((p) => [p.config.id, p])), bypasses, adjustments };
}

function point(ctx: EnergyContext, id: string): PointData {
  const p = ctx.points.get(id);
  if (!p) throw new RangeError(`no point ${id} in the energy context`);
  return p;
}

/** Energy of `pointId` over (a, b], with bypass substitution and manual energy applied. */
export function pointEnergy(ctx: EnergyContext, pointId: string, a: number, b: number): EnergyFigure {
  const p = point(ctx, pointId);
  const windows = bypassWindows(ctx.bypasses, pointId, a, b);
  const sets = adjustmentsFor(ctx.adjustments, pointId, 'set', a, b);
  const supplements = adjustmentsFor(ctx.adjustments, pointId, 'supplement', a, b);
  if (windows.length === 0 && sets.length === 0 && supplements.length === 0) return spanEnergy(p, a, b);

  const edges = new Set<number>([a, b]);
  for (const w of [...windows, ...sets]) for (const t of [w.from, w.to]) if (t > a && t < b) edges.add(t);
  const cuts = [...edges].sort((x, y) => x - y);
  const out = new FigureBuilder();
  for (let i = 0; i + 1 < cuts.length; i++) {
    const s0 = cuts[i]!;
    const s1 = cuts[i + 1]!;
    const setOf = new Array<Adjustment | undefined>(REGISTER_COUNT).fill(undefined);
    for (const s of sets) {
      const r = registerIndex(s.register);
      if (r >= 0 && !setOf[r] && s.from <= s0 && s.to >= s1) setOf[r] = s;
    }
    const w = windows.find((x) => x.from <= s0 && x.to >= s1);
    let base: EnergyFigure | undefined;
    if (setOf.some((s) => !s)) {
      if (!w) base = spanEnergy(p, s0, s1);
      else if (w.source !== null) {
        const carried = spanEnergy(point(ctx, w.source), s0, s1);
        base = { ...carried, sources: carried.sources.map((src) => ({ ...src, role: 'bypass' as const })) };
      }
    }
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const s = setOf[r];
      if (s) out.add(r, adjustmentShare(s, s0, s1), estimated('manual-set'));
      else if (base) out.add(r, base.registers[r]!.energy, base.registers[r]!.quality);
      else out.add(r, ZERO, { kind: 'actual' });
    }
    for (const s of new Set(setOf)) if (s) out.sources.push({ pointId, from: s0, to: s1, role: 'manual-set', adjustmentId: s.id });
    if (base) {
      out.sources.push(...base.sources);
      out.events.push(...base.events);
    }
  }
  for (const s of supplements) {
    const r = registerIndex(s.register);
    if (r < 0) continue;
    // A register the meter does not read has no figure to add to: the supplement is all of it.
    if (isNotRead(out.quality[r]!)) (out.quality[r] = ACTUAL), (out.energy[r] = ZERO);
    out.add(r, adjustmentShare(s, a, b), estimated('manual-supplement'));
    out.sources.push({ pointId, from: Math.max(a, s.from), to: Math.min(b, s.to), role: 'manual-supplement', adjustmentId: s.id });
  }
  return out.build(pointId, a, b);
}
