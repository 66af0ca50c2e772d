/**
 * Daily energy: the energy between the readings at the scheme's day boundaries in the point's
 * zone (DESIGN.md §5), with bypass and manual energy applied.
 */
import type { EnergyFigure } from './figure.ts';
import { pointEnergy, type EnergyContext } from './period.ts';
import { dayPeriod, type StatisticalScheme } from './scheme.ts';

/** A figure for a named calendar period (`YYYY-MM-DD` or `YYYY-MM`). */
export interface PeriodFigure extends EnergyFigure {
  readonly label: string;
}

/** Energy of `pointId` on local day `date` (`YYYY-MM-DD`). */
export function dailyEnergy(ctx: EnergyContext, scheme: StatisticalScheme, pointId: string, date: string): PeriodFigure {
  const zone = ctx.points.get(pointId)?.config.zone;
  if (!zone) throw new RangeError(`no point ${pointId} in the energy context`);
  const p = dayPeriod(scheme, zone, date);
  return { ...pointEnergy(ctx, pointId, p.from, p.to), label: date };
}
