/**
 * Manual energy (DESIGN.md §5): supplementary energy adds to the computed figure, set energy
 * replaces it. Each record covers a window and names who, when and why. A figure that covers
 * only part of the window takes the time-prorated share — exact, because energies are
 * rationals — so the days of a month still add up to the month.
 */
import type { RegisterCode } from '../schema/registers.ts';
import { rational, ratMul, type Rational } from './rational.ts';
import { dayOf, dayPeriod, monthOfDay, monthPeriod, type StatisticalScheme } from './scheme.ts';

/** A manual energy record for one register of one point. */
export interface Adjustment {
  readonly id: string;
  readonly pointId: string;
  readonly register: RegisterCode;
  readonly kind: 'supplement' | 'set';
  /** Window [from, to] in epoch ms the energy belongs to. */
  readonly from: number;
  readonly to: number;
  /** Energy in hundredths of a primary unit (may be negative for a supplement). */
  readonly energy: number;
  readonly who: string;
  /** When it was entered, epoch ms; among overlapping set records the latest wins. */
  readonly at: number;
  readonly why: string;
}

/**
 * The end of a recorded adjustment's period, which is stored as its kind and first instant: one
 * interval of `dt`, or the local day or billing month starting there, in `zone` under `scheme`.
 */
export function adjustmentEnd(scheme: StatisticalScheme, kind: 'interval' | 'day' | 'month', start: number, zone: string, dt: number): number {
  if (kind === 'interval') return start + dt;
  const day = dayOf(scheme, zone, start);
  return kind === 'day' ? dayPeriod(scheme, zone, day).to : monthPeriod(scheme, zone, monthOfDay(scheme, day)).to;
}

/** The share of `a.energy` falling in [from, to]: energy × overlap / window, exact. */
export function adjustmentShare(a: Adjustment, from: number, to: number): Rational {
  const overlap = Math.min(to, a.to) - Math.max(from, a.from);
  if (overlap <= 0) return rational(0);
  if (a.to <= a.from) return rational(a.energy);
  return ratMul(rational(a.energy), rational(overlap, a.to - a.from));
}

/** The records of one point and kind that overlap (a, b), set records latest first. */
export function adjustmentsFor(all: readonly Adjustment[], pointId: string, kind: Adjustment['kind'], a: number, b: number): Adjustment[] {
  return all
    .filter((x) => x.pointId === pointId && x.kind === kind && Math.min(b, x.to) > Math.max(a, x.from))
    .sort((x, y) => y.at - x.at);
}
