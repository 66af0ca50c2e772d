/**
 * Interval energy on the point's grid (DESIGN.md §5): (R(t) − R(t−Δ)) × M per register, with
 * rollover, replacement and CT/PT splits, bypass and manual energy — the figure-by-figure path.
 * The columnar kernel (kernel.ts) computes the same deltas for bulk data.
 */
import type { EnergyFigure } from './figure.ts';
import { intervalMs } from './point.ts';
import { pointEnergy, type EnergyContext } from './period.ts';
import { intervalEnds } from './scheme.ts';

/** Energy of `pointId` for every grid interval (t−Δ, t] with from ≤ t−Δ and t ≤ to. */
export function intervalEnergies(ctx: EnergyContext, pointId: string, from: number, to: number): EnergyFigure[] {
  const p = ctx.points.get(pointId);
  if (!p) throw new RangeError(`no point ${pointId} in the energy context`);
  const dt = intervalMs(p.config);
  return intervalEnds(from, to, dt)
    .filter((t) => t - dt >= from)
    .map((t) => pointEnergy(ctx, pointId, t - dt, t));
}

/** Energy of `pointId` for the single interval ending at `end`. */
export function intervalEnergy(ctx: EnergyContext, pointId: string, end: number): EnergyFigure {
  const p = ctx.points.get(pointId);
  if (!p) throw new RangeError(`no point ${pointId} in the energy context`);
  return pointEnergy(ctx, pointId, end - intervalMs(p.config), end);
}
