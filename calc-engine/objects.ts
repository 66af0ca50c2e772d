/**
 * Statistical objects and losses (DESIGN.md §5): lines, buses, transformers and custom objects
 * defined by members (point, direction, role in|out, sign). Input = Σ sign × E over `in`
 * members, output likewise over `out`, loss = input − output, loss rate = loss / input. The same
 * function serves intervals, days and months: it takes the members' figures for one window.
 */
import { registerIndex, type Direction } from '../schema/registers.ts';
import { addRegisterFigures, ZERO_FIGURE, type EnergyFigure, type RegisterFigure } from './figure.ts';
import { participates, type PointConfig } from './point.ts';
import { combineQuality, missing, type Quality } from './quality.ts';
import { ratDiv, rational, ratMul, ratSub, type Rational } from './rational.ts';

/** Kind of statistical object. */
export type ObjectKind = 'line' | 'bus' | 'transformer' | 'custom';

/** A member: one direction of one point, feeding the object's input or output. */
export interface ObjectMember {
  readonly pointId: string;
  readonly direction: Direction;
  readonly role: 'in' | 'out';
  /** −1 subtracts (e.g. a station-service feeder netted out); default 1. */
  readonly sign?: 1 | -1;
}

/** A statistical object. `voltageKv` selects default limits (bus imbalance). */
export interface StatObject {
  readonly id: string;
  readonly kind: ObjectKind;
  readonly voltageKv?: number;
  readonly members: readonly ObjectMember[];
}

/** One member's part in an object figure. */
export interface MemberContribution extends ObjectMember {
  readonly energy: RegisterFigure;
  /** False when the point's direction does not take part in computation. */
  readonly counted: boolean;
}

/** Input, output, loss and loss rate of an object over one window. */
export interface ObjectFigure {
  readonly objectId: string;
  readonly kind: ObjectKind;
  readonly from: number;
  readonly to: number;
  readonly input: RegisterFigure;
  readonly output: RegisterFigure;
  readonly loss: RegisterFigure;
  /** loss / input, exact; null when the input is zero or missing. */
  readonly lossRate: Rational | null;
  readonly quality: Quality;
  readonly members: readonly MemberContribution[];
}

/**
 * The object figure over [from, to] from each member point's figure for that window
 * (`figures` by point id) and the points' participation flags (`configs` by point id).
 */
export function objectEnergy(
  object: StatObject,
  from: number,
  to: number,
  figures: ReadonlyMap<string, EnergyFigure>,
  configs: ReadonlyMap<string, PointConfig>,
): ObjectFigure {
  let input = ZERO_FIGURE;
  let output = ZERO_FIGURE;
  const members: MemberContribution[] = [];
  for (const m of object.members) {
    const cfg = configs.get(m.pointId);
    const counted = cfg ? participates(cfg, m.direction) : true;
    const fig = figures.get(m.pointId);
    const raw: RegisterFigure = fig ? fig.registers[registerIndex(`${m.direction}.total`)]! : { energy: null, quality: missing('no-figure') };
    const energy: RegisterFigure = raw.energy !== null && (m.sign ?? 1) < 0 ? { ...raw, energy: ratMul(raw.energy, rational(-1)) } : raw;
    members.push({ ...m, energy, counted });
    if (!counted) continue;
    if (m.role === 'in') input = addRegisterFigures(input, energy);
    else output = addRegisterFigures(output, energy);
  }
  const quality = combineQuality(input.quality, output.quality);
  const loss: RegisterFigure = input.energy !== null && output.energy !== null ? { energy: ratSub(input.energy, output.energy), quality } : { energy: null, quality };
  const lossRate = loss.energy !== null && input.energy !== null && input.energy.num !== 0n ? ratDiv(loss.energy, input.energy) : null;
  return { objectId: object.id, kind: object.kind, from, to, input, output, loss, lossRate, quality, members };
}
