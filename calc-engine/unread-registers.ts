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

/** Registers read in at least one of the `snapshots` snapshots of `raw` (snapshots × 20, NaN = not read). */
export function readRegisters(raw: Float64Array, snapshots: number): boolean[] {
  const out = new Array<boolean>(REGISTER_COUNT).fill(false);
  for (let s = 0; s < snapshots; s++) for (let r = 0; r < REGISTER_COUNT; r++) if (!Number.isNaN(raw[s * REGISTER_COUNT + r]!)) out[r] = true;
  return out;
}

/**
 * The snapshot at `o` in `raw` for the checks, into `out` (20 values): null unless every register
 * in `read` was read (and at least one is).
 */
export function checkedSnapshot(raw: Float64Array, o: number, read: readonly boolean[], out: Float64Array): Float64Array | null {
  if (!read.includes(true)) return null;
  for (let r = 0; r < REGISTER_COUNT; r++) {
    if (read[r] && Number.isNaN(raw[o + r]!)) return null;
    out[r] = read[r] ? raw[o + r]! : 0;
  }
  for (let d = 0; d < REGISTER_COUNT; d += TIERS_PER_DIRECTION) {
    const tiersRead = [1, 2, 3, 4].filter((k) => read[d + k]);
    if (read[d] && tiersRead.length === 0) out[d + FLAT] = out[d]!;
    else if (!read[d] && tiersRead.length > 0) out[d] = tiersRead.reduce((sum, k) => sum + out[d + k]!, 0);
  }
  return out;
}
