/**
 * The kernel's register values in 32 bits. The kernel only ever subtracts two readings of one
 * row, so each register of a row may be stored as offsets from its lowest reading: the same deltas from half
 * the bytes of float64, and the bytes streamed are what bounds the kernel's rate. A row whose
 * readings span 2^32 steps or more (a register of more than ten digits at fine resolution) or
 * are not integers keeps the whole chunk in float64, exact as before.
 */

/** Largest span of one register's readings in a row that the 32-bit layout holds. */
const NARROW_SPAN = 2 ** 32 - 1;

/** One register's lowest and highest reading in a row, and whether every reading is an integer. */
export class RegisterRange {
  min = Infinity;
  max = -Infinity;
  integral = true;

  /** Take one reading into the range. */
  add(x: number): void {
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (!Number.isInteger(x)) this.integral = false;
  }
}

/** A chunk's value array and, per row and register, the reading that 0 stands for. */
export interface ValueLayout {
  readonly values: Uint32Array | Float64Array;
  /** rows × 20: the base of each row's register. */
  readonly base: Float64Array;
}

/**
 * The value array for rows × `snapshots` × 20 values, given each row's register ranges (rows ×
 * 20): 32-bit offsets from each register's lowest reading when every one fits, raw float64
 * (bases 0) otherwise. Fill value (row, s, r) with `x − base[row × 20 + r]`.
 */
export function valueLayout(ranges: readonly RegisterRange[], snapshots: number): ValueLayout {
  const base = new Float64Array(ranges.length);
  const narrow = ranges.every((r) => r.integral && (r.max === -Infinity || r.max - r.min <= NARROW_SPAN));
  if (!narrow) return { values: new Float64Array(ranges.length * snapshots), base };
  ranges.forEach((r, i) => { base[i] = r.max === -Infinity ? 0 : r.min; });
  return { values: new Uint32Array(ranges.length * snapshots), base };
}
