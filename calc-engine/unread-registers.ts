/**
 * Meters that read only some of the 20 registers (a total without tiers, import without
 * reactive): for the interval checks a snapshot is whole when every register the meter reads is
 * read, and the others take values that leave the checks nothing to say — a direction's flat
 * tier follows its total where no tier is read, its total is the sum of the tiers read where the
 * total is not, the rest stand at 0. Only the checks see these values, never a stored figure.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';

const TIERS_PER_DIRECTION = 5;
const FLAT = 3;

/** Registers read in at least one reading of a series' values (readings × 20, NaN = not read). */
export function readRegisters(values: Float64Array): boolean[] {
  const out = new Array<boolean>(REGISTER_COUNT).fill(false);
  for (let o = 0; o < values.length; o += REGISTER_COUNT) for (let r = 0; r < REGISTER_COUNT; r++) if (!Number.isNaN(values[o + r]!)) out[r] = true;
  return out;
}

/**
 * A snapshot (20 values at `o` in `raw`) for the checks, into `out`: null unless every register
 * in `read` was read (and at least one is). A direction whose tiers are not all read is judged on
 * its total alone, so tiers read in part never make a TOU mismatch of the ones missing.
 */
export function checkedSnapshot(raw: ArrayLike<number>, o: number, read: readonly boolean[], out: Float64Array): Float64Array | null {
  if (!read.includes(true)) return null;
  for (let r = 0; r < REGISTER_COUNT; r++) {
    if (read[r] && Number.isNaN(raw[o + r]!)) return null;
    out[r] = read[r] ? raw[o + r]! : 0;
  }
  for (let d = 0; d < REGISTER_COUNT; d += TIERS_PER_DIRECTION) {
    const tiers = [1, 2, 3, 4];
    if (tiers.every((k) => read[d + k])) {
      if (!read[d]) out[d] = tiers.reduce((sum, k) => sum + out[d + k]!, 0);
    } else if (read[d]) {
      for (const k of tiers) out[d + k] = 0;
      out[d + FLAT] = out[d]!;
    }
  }
  return out;
}
