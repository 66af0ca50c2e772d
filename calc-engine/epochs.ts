/**
 * Meter epochs: the stretches of a metering point's history during which one meter with one
 * multiplier was in force. A meter replacement and a CT/PT change both cut an epoch, so the
 * energy of any window is Σ over epochs of (R(end') − R(start')) × M, register by register
 * (DESIGN.md §5) — the replacement split and the ratio-change split are the same computation.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { multiplier, type TransformerRatios } from './multiplier.ts';
import type { Rational } from './rational.ts';

/** The 20 registers of one reading in register-map order, integer hundredths; NaN = not read. */
export type RegisterVector = readonly number[];

/** Which meter sat at the point, with the readings taken when it was fitted and removed. */
export interface Installation {
  readonly meterId: string;
  /** Epoch ms when the meter started counting for the point. */
  readonly from: number;
  /** Epoch ms when it was removed; absent while installed. */
  readonly to?: number;
  /** Register readings at `from` (the new meter's initial readings). */
  readonly initial?: RegisterVector;
  /** Register readings at `to` (the old meter's final readings). */
  readonly final?: RegisterVector;
  /** Register capacity C in hundredths: the register wraps to 0 on reaching it (e.g. 1e8 for 6+2 digits). */
  readonly capacity: number;
  /** The meter registers primary values itself: its multiplier is 1 whatever the CT/PT ratios. */
  readonly primaryValues?: boolean;
}

/** CT/PT ratios in force from `from` until the next record, optionally with the reading at the change. */
export interface RatioPeriod {
  readonly from: number;
  readonly ratios: TransformerRatios;
  /** Register readings of the meter in place at `from`, when the change was recorded with them. */
  readonly reading?: RegisterVector;
}

/** One meter with one multiplier over [from, to]. */
export interface MeterEpoch {
  readonly meterId: string;
  readonly from: number;
  /** Infinity while open. */
  readonly to: number;
  readonly multiplier: Rational;
  readonly capacity: number;
  /** Reading recorded at `from` (installation or ratio change), preferred over raw rows. */
  readonly startReading?: RegisterVector;
  /** Reading recorded at `to`. */
  readonly endReading?: RegisterVector;
  /**
   * Whether a raw row stamped exactly `from` / `to` belongs to this epoch. False at a meter
   * change: the row at tc could come from either meter, so the installation record decides.
   */
  readonly rawAtStart: boolean;
  readonly rawAtEnd: boolean;
}

const DIRECT: TransformerRatios = { ctPrimary: 1, ctSecondary: 1, ptPrimary: 1, ptSecondary: 1 };

/**
 * Cut the installation history by the CT/PT history into epochs, sorted by time. The first
 * ratio record also applies before its `from` (an archive usually records ratios from the
 * first installation on); with no ratio records at all, or for a meter that registers primary
 * values, M = 1.
 */
export function meterEpochs(installations: readonly Installation[], ratios: readonly RatioPeriod[]): MeterEpoch[] {
  const inst = [...installations].sort((a, b) => a.from - b.from);
  const rat = [...ratios].sort((a, b) => a.from - b.from);
  const out: MeterEpoch[] = [];
  const ratioAt = (t: number): RatioPeriod | undefined => {
    let found = rat[0];
    for (const r of rat) if (r.from <= t) found = r;
    return found;
  };
  for (let i = 0; i < inst.length; i++) {
    const ins = inst[i]!;
    const to = ins.to ?? Infinity;
    const meterChangeAtStart = inst.some((o) => o !== ins && o.to === ins.from);
    const meterChangeAtEnd = inst.some((o) => o !== ins && o.from === to);
    const cuts = rat.filter((r) => r.from > ins.from && r.from < to);
    const starts = [ins.from, ...cuts.map((c) => c.from)];
    for (let k = 0; k < starts.length; k++) {
      const from = starts[k]!;
      const end = k + 1 < starts.length ? starts[k + 1]! : to;
      const r = ratioAt(from);
      const startReading = k === 0 ? ins.initial : cuts[k - 1]!.reading;
      const endReading = k + 1 < starts.length ? cuts[k]!.reading : ins.final;
      out.push({
        meterId: ins.meterId,
        from,
        to: end,
        multiplier: multiplier(!ins.primaryValues && r ? r.ratios : DIRECT),
        capacity: ins.capacity,
        ...(startReading ? { startReading } : {}),
        ...(endReading ? { endReading } : {}),
        rawAtStart: !(k === 0 && meterChangeAtStart),
        rawAtEnd: !(k + 1 === starts.length && meterChangeAtEnd),
      });
    }
  }
  return out;
}

/** A register vector of NaN (nothing read), length 20. */
export function emptyRegisters(): number[] {
  return new Array<number>(REGISTER_COUNT).fill(NaN);
}
