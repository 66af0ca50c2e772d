/**
 * Rule `energy-limit` (DESIGN.md §6): a point's daily or monthly energy of a register outside its
 * upper/lower limits. Limits are per point and register in kWh (kvarh); no default limits —
 * a point without configured limits is not checked.
 */
import { registerIndex, type RegisterCode } from '../../schema/registers.ts';
import type { AlarmCandidate } from '../alarms.ts';
import type { EnergyFigure } from '../figure.ts';
import { ratToNumber } from '../rational.ts';
import { severityOutside } from './severity.ts';

/** Limits of one register of one point for one kind of period. */
export interface EnergyLimit {
  readonly register: RegisterCode;
  /** Primary units (kWh / kvarh); default 0. */
  readonly lower?: number;
  /** Primary units; default unbounded. */
  readonly upper?: number;
}

/**
 * Whether a meter (the point's own, a bypass carrying it, or a set figure) stands behind the whole
 * period: a day before the first installation is 0 kWh because the point was not connected, and a
 * new connection's first day holds only its connected hours; neither says anything about a limit.
 */
function whollyMetered(figure: EnergyFigure): boolean {
  const parts = figure.sources.filter((s) => s.role !== 'manual-supplement').sort((a, b) => a.from - b.from);
  let reached = figure.from;
  for (const s of parts) if (s.from <= reached) reached = Math.max(reached, s.to);
  return reached >= figure.to;
}

/** Energy-limit candidates of a day or month figure wholly metered; observed in primary units. */
export function energyLimitCandidates(figure: EnergyFigure, limits: readonly EnergyLimit[]): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  if (limits.length === 0 || !whollyMetered(figure)) return out;
  for (const l of limits) {
    const e = figure.registers[registerIndex(l.register)]?.energy;
    if (e === null || e === undefined) continue;
    const observed = ratToNumber(e) / 100;
    const lower = l.lower ?? 0;
    const upper = l.upper ?? Infinity;
    const severity = severityOutside(observed, lower, upper);
    if (!severity) continue;
    out.push({ rule: 'energy-limit', objectKind: 'point', objectId: figure.pointId, periodStart: figure.from, periodEnd: figure.to, observed, limit: observed > upper ? upper : lower, severity, detail: `${l.register} (kWh)` });
  }
  return out;
}
