/**
 * The kernel's register values in 32 bits. The kernel only ever subtracts two readings of one
 * row, so each register of a row is stored as its offset from that register's first reading in
 * the chunk: the same deltas from half the bytes of float64, and the bytes streamed are what
 * bounds the kernel's rate. Should any offset not be a 32-bit integer (a register of more than
 * nine digits wrapping inside the chunk, a reading not whole) the chunk turns float64, exact as
 * before; one pass either way.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';

/** A chunk's value array and, per row and register, the reading that 0 stands for. */
export interface ValueLayout {
  readonly values: Int32Array | Float64Array;
  /** rows × 20: the base of each row's register. */
  readonly base: Float64Array;
}

/** Builds the rows × snapshots × 20 value array of a kernel chunk, reading by reading. */
export class ChunkValues {
  private narrow: Int32Array | undefined;
  private wide: Float64Array | undefined;
  private readonly bases: Float64Array;

  constructor(rows: number, private readonly snapshots: number) {
    this.narrow = new Int32Array(rows * snapshots * REGISTER_COUNT);
    this.bases = new Float64Array(rows * REGISTER_COUNT).fill(NaN);
  }

  /** Reading `x` of register `r` at snapshot `s` of `row` (a snapshot not read is never put). */
  put(row: number, s: number, r: number, x: number): void {
    const i = (row * this.snapshots + s) * REGISTER_COUNT + r;
    if (this.narrow === undefined) {
      this.wide![i] = x;
      return;
    }
    const k = row * REGISTER_COUNT + r;
    let b = this.bases[k]!;
    if (b !== b) b = this.bases[k] = x;
    // A whole base and a 32-bit whole offset: then x − b is exact and so is every delta.
    const o = x - b;
    if ((o | 0) === o && Number.isInteger(b)) this.narrow[i] = o;
    else {
      this.widen();
      this.wide![i] = x;
    }
  }

  /** All 20 readings of snapshot `s` of `row` from `v[src…src+19]`, every one read. */
  putSnapshot(row: number, s: number, v: Float64Array, src: number): void {
    const n = this.narrow, i = (row * this.snapshots + s) * REGISTER_COUNT, k = row * REGISTER_COUNT;
    if (n === undefined || this.bases[k] !== this.bases[k]) {
      for (let r = 0; r < REGISTER_COUNT; r++) this.put(row, s, r, v[src + r]!);
      return;
    }
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const o = v[src + r]! - this.bases[k + r]!;
      if ((o | 0) !== o) {
        for (; r < REGISTER_COUNT; r++) this.put(row, s, r, v[src + r]!);
        return;
      }
      n[i + r] = o;
    }
  }

  /** The array and bases (all 0 once float64). */
  layout(): ValueLayout {
    if (this.narrow === undefined) return { values: this.wide!, base: new Float64Array(this.bases.length) };
    return { values: this.narrow, base: this.bases.map((b) => (b === b ? b : 0)) };
  }

  private widen(): void {
    const n = this.narrow!, w = new Float64Array(n.length);
    const perRow = this.snapshots * REGISTER_COUNT;
    for (let i = 0; i < n.length; i++) {
      const b = this.bases[Math.floor(i / perRow) * REGISTER_COUNT + (i % REGISTER_COUNT)]!;
      w[i] = b === b ? n[i]! + b : 0;
    }
    this.wide = w;
    this.narrow = undefined;
  }
}
