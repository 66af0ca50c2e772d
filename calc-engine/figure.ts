/**
 * Energy figures: per register an exact energy with its quality, plus provenance and the
 * register events met on the way. Every derived figure (interval, day, month, bypass,
 * adjustment) has this one shape.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { ratAdd, ZERO, type Rational } from './rational.ts';
import { ACTUAL, combineQuality, type Quality, type SourceRange } from './quality.ts';
import type { DeltaKind } from './rollover.ts';

/** One register's energy in hundredths of a primary unit; null exactly when quality is missing. */
export interface RegisterFigure {
  readonly energy: Rational | null;
  readonly quality: Quality;
}

/** A rollover accepted or a register decrease refused while computing a figure. */
export interface EnergyEvent {
  readonly kind: Exclude<DeltaKind, 'normal'>;
  readonly pointId: string;
  readonly meterId: string;
  /** Register index (see REGISTER_CODES). */
  readonly register: number;
  readonly from: number;
  readonly to: number;
  readonly fromValue: number;
  readonly toValue: number;
  /** The meter's multiplier over the span, to give the change in primary energy. */
  readonly multiplier?: Rational;
}

/** Energy of one point over (from, to], all 20 registers. */
export interface EnergyFigure {
  readonly pointId: string;
  readonly from: number;
  readonly to: number;
  /** 20 entries in REGISTER_CODES order. */
  readonly registers: readonly RegisterFigure[];
  readonly sources: readonly SourceRange[];
  readonly events: readonly EnergyEvent[];
}

/** A register figure of exactly zero, actual. */
export const ZERO_FIGURE: RegisterFigure = { energy: ZERO, quality: ACTUAL };

/** Sum of two register figures: quality combined, energy null when either is missing. */
export function addRegisterFigures(a: RegisterFigure, b: RegisterFigure): RegisterFigure {
  const quality = combineQuality(a.quality, b.quality);
  if (quality.kind === 'missing' || a.energy === null || b.energy === null) return { energy: null, quality };
  return { energy: ratAdd(a.energy, b.energy), quality };
}

/** Mutable accumulator of 20 register figures. */
export class FigureBuilder {
  readonly energy: Rational[] = new Array<Rational>(REGISTER_COUNT).fill(ZERO);
  readonly quality: Quality[] = new Array<Quality>(REGISTER_COUNT).fill(ACTUAL);
  readonly sources: SourceRange[] = [];
  readonly events: EnergyEvent[] = [];

  /** Add an energy (or a missing part when `energy` is null) to register r. */
  add(r: number, energy: Rational | null, quality: Quality): void {
    this.quality[r] = combineQuality(this.quality[r]!, quality);
    if (energy !== null) this.energy[r] = ratAdd(this.energy[r]!, energy);
  }

  /** Add every register of another figure. */
  addFigure(f: EnergyFigure): void {
    f.registers.forEach((g, r) => this.add(r, g.energy, g.quality));
    this.sources.push(...f.sources);
    this.events.push(...f.events);
  }

  /** Freeze into a figure. */
  build(pointId: string, from: number, to: number): EnergyFigure {
    const registers = this.energy.map((energy, r) => {
      const quality = this.quality[r]!;
      return { energy: quality.kind === 'missing' ? null : energy, quality };
    });
    return { pointId, from, to, registers, sources: this.sources, events: this.events };
  }
}
