/**
 * Monthly energy: the energy between the readings at the billing month's boundaries (DESIGN.md
 * §5). Because every figure comes from boundary readings and every piece is additive, the sum of
 * the month's daily figures equals the monthly figure exactly when all boundaries exist.
 */
import { dailyEnergy, type PeriodFigure } from './daily.ts';
import type { EnergyContext } from './period.ts';
import { pointEnergy } from './period.ts';
import { monthDays, monthPeriod, type StatisticalScheme } from './scheme.ts';

function zoneOf(ctx: EnergyContext, pointId: string): string {
  const zone = ctx.points.get(pointId)?.config.zone;
  if (!zone) throw new RangeError(`no point ${pointId} in the energy context`);
  return zone;
}

/** Energy of `pointId` in billing month `month` (`YYYY-MM`). */
export function monthlyEnergy(ctx: EnergyContext, scheme: StatisticalScheme, pointId: string, month: string): PeriodFigure {
  const p = monthPeriod(scheme, zoneOf(ctx, pointId), month);
  return { ...pointEnergy(ctx, pointId, p.from, p.to), label: month };
}

/** The daily figures of every day of billing month `month`, in order. */
export function monthDailyEnergies(ctx: EnergyContext, scheme: StatisticalScheme, pointId: string, month: string): PeriodFigure[] {
  return monthDays(scheme, zoneOf(ctx, pointId), month).map((d) => dailyEnergy(ctx, scheme, pointId, d));
}
