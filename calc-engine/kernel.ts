/**
 * The columnar hot path: interval deltas of every register plus every interval-level check, in
 * one pass over a chunk of snapshots laid out rows × snapshots × 20 registers.
 *
 * A row is one point under one meter and one multiplier (one epoch). A meter replacement or a
 * CT/PT change becomes two rows of the same point: the caller fills the old row after tc with
 * its final reading and the new row before tc with its initial reading (a meter that is not
 * installed counts nothing), so the interval spanning tc gets (R_old(tc) − R_old(start)) from one
 * row and (R_new(end) − R_new(tc)) from the other, and the point's energy is Σ rows delta × M.
 * Deltas stay in register steps (exact integers); the multiplier is applied per figure downstream.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { DECREASE, DEMAND_JUMP, FROZEN, INACTIVE, MISSING, OVER_MAX, REVERSE, ROLLOVER, SPIKE, STUCK, TOU_MISMATCH, WIDE } from './kernel-flags.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './rules/interval-limits.ts';
import { NEIGHBOURS_AFTER, NEIGHBOURS_BEFORE, RUN_COUNTERS } from './kernel-carry.ts';

/** A chunk of snapshots. `snapshots` per row, so `snapshots − 1` intervals per row. */
export interface KernelChunk {
  readonly rows: number;
  readonly snapshots: number;
  /**
   * rows × snapshots × 20 register values in register steps above the register's `base`: 32-bit
   * where every offset fits (`ChunkValues`), float64 otherwise. Once a process has seen both, the
   * loop is polymorphic: measured, 32-bit chunks then run about 15 % slower, still faster than
   * float64 ones.
   */
  readonly values: Int32Array | Float64Array;
  /** rows × 20: the reading of each row's register that 0 in `values` stands for (default 0). */
  readonly base?: Float64Array;
  /** rows × snapshots: 1 when the snapshot was read. */
  readonly present: Uint8Array;
  /** Per row: register capacity C (wrap point) in steps. */
  readonly capacity: Float64Array;
  /** Per row: physical maximum of one interval in register steps (⌊max energy / M⌋, see `maxSteps`). */
  readonly maxSteps: Float64Array;
  /** Per row: 1 for an import-only point. */
  readonly importOnly: Uint8Array;
  /** Per row: 1 when the point is known to carry load (frozen-reading check). */
  readonly carriesLoad: Uint8Array;
  /** Per row: first interval index counted (default 0). */
  readonly activeFrom?: Int32Array;
  /** Per row: interval index after the last counted (default all). */
  readonly activeTo?: Int32Array;
  /** rows × `RUN_COUNTERS`: frozen and stuck runs going on at the chunk's start (kernel-carry.ts; default none). */
  readonly runsBefore?: Int32Array;
  /** rows × `RUN_COUNTERS`: the same runs going on after the chunk's end; read by the rules, not the kernel. */
  readonly runsAfter?: Int32Array;
  /** rows × `NEIGHBOURS_BEFORE`: active import and export of the interval before the chunk (kernel-carry.ts; default none, -1). */
  readonly neighboursBefore?: Float64Array;
  /** rows × `NEIGHBOURS_AFTER`: active import and export of the interval after the chunk, for a spike on its last interval (default none, -1). */
  readonly neighboursAfter?: Float64Array;
  /** Per row: its point's own check limits, where it has them (else the `limits` the kernel is given). */
  readonly limits?: readonly (IntervalLimits | undefined)[];
}

/** Kernel output: deltas rows × intervals × 20 (register steps) and flags rows × intervals. */
export interface KernelResult {
  readonly intervals: number;
  readonly deltas: Uint32Array;
  readonly flags: Uint16Array;
  /** rows × `RUN_COUNTERS`: the frozen and stuck counters at each row's end — how long a run going on there has lasted, carried-in intervals included. */
  readonly runsAtEnd: Int32Array;
}

/**
 * Compute a chunk. Pass `out` to reuse buffers across chunks (it is overwritten); memory is then
 * bounded by the chunk size, not by the data set.
 */
export function runKernel(chunk: KernelChunk, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS, out?: KernelResult): KernelResult {
  const S = chunk.snapshots;
  const I = Math.max(0, S - 1);
  const R = REGISTER_COUNT;
  const res = out ?? { intervals: I, deltas: new Uint32Array(chunk.rows * I * R), flags: new Uint16Array(chunk.rows * I), runsAtEnd: new Int32Array(chunk.rows * RUN_COUNTERS) };
  const { values: v, present } = chunk;
  const { deltas, flags, runsAtEnd } = res;
  let touTol = 0, revTol = 0, frozenN = 0, stuckN = 0, spikeF = 0, spikeMin = 0, jumpPct = 0, jumpMin = 0;
  const scratch = new Float64Array(5);
  // 32-bit offsets differ by less than 2^32; raw float64 readings may not (a delta WIDE flags).
  const wide = !(v instanceof Int32Array);
  let st0 = 0, st1 = 0, st2 = 0, st3 = 0;
  // The previous snapshot's readings stay in locals, so each reading is loaded once; `held` says
  // they are there (not after a gap or at a row's start).
  let p00 = 0, p01 = 0, p02 = 0, p03 = 0, p04 = 0, p10 = 0, p11 = 0, p12 = 0, p13 = 0, p14 = 0, p20 = 0, p21 = 0, p22 = 0, p23 = 0, p24 = 0, p30 = 0, p31 = 0, p32 = 0, p33 = 0, p34 = 0;
  let held = false;
  for (let row = 0; row < chunk.rows; row++) {
    const lim = chunk.limits?.[row] ?? limits;
    touTol = lim.touToleranceSteps; revTol = lim.reverseToleranceSteps; frozenN = lim.frozenIntervals; stuckN = lim.stuckIntervals;
    spikeF = lim.spikeFactor; spikeMin = lim.spikeMinSteps; jumpPct = lim.demandJumpPercent; jumpMin = lim.demandMinSteps;
    const cap = chunk.capacity[row]!;
    const max = chunk.maxSteps[row]!;
    const importOnly = chunk.importOnly[row] === 1;
    const loaded = chunk.carriesLoad[row] === 1;
    const from = chunk.activeFrom ? chunk.activeFrom[row]! : 0;
    const to = chunk.activeTo ? chunk.activeTo[row]! : I;
    const base0 = chunk.base ? chunk.base[row * R]! : 0;
    const rb = chunk.runsBefore;
    const rc = row * RUN_COUNTERS;
    let frozen = rb ? rb[rc]! : 0;
    held = false;
    if (rb) (st0 = rb[rc + 1]!), (st1 = rb[rc + 2]!), (st2 = rb[rc + 3]!), (st3 = rb[rc + 4]!);
    else st0 = st1 = st2 = st3 = 0;
    // active import/export deltas of the two previous intervals; -1 = not available (spike, demand jump)
    let imp1 = -1, imp2 = -1, exp1 = -1, exp2 = -1;
    // the interval before the chunk, carried in: the first interval's demand jump and, once
    // shifted, its spike are judged as in a longer span
    const nb = chunk.neighboursBefore;
    if (nb && from === 0) (imp1 = nb[row * NEIGHBOURS_BEFORE]!), (exp1 = nb[row * NEIGHBOURS_BEFORE + 1]!);
    for (let j = 0; j < I; j++) {
      const fi = row * I + j;
      const d0 = fi * R;
      if (j < from || j >= to) {
        flags[fi] = INACTIVE;
        deltas.fill(0, d0, d0 + R);
        frozen = 0; st0 = st1 = st2 = st3 = 0; imp1 = imp2 = exp1 = exp2 = -1; held = false;
        continue;
      }
      const s0 = row * S + j;
      if (present[s0] !== 1 || present[s0 + 1] !== 1) {
        flags[fi] = MISSING;
        deltas.fill(0, d0, d0 + R);
        frozen = 0; st0 = st1 = st2 = st3 = 0; imp1 = imp2 = exp1 = exp2 = -1; held = false;
        continue;
      }
      const p0 = s0 * R;
      const c0 = p0 + R;
      let f = 0;
      if (!held) {
        p00 = v[p0 + 0]!; p01 = v[p0 + 1]!; p02 = v[p0 + 2]!; p03 = v[p0 + 3]!; p04 = v[p0 + 4]!;
        p10 = v[p0 + 5]!; p11 = v[p0 + 6]!; p12 = v[p0 + 7]!; p13 = v[p0 + 8]!; p14 = v[p0 + 9]!;
        p20 = v[p0 + 10]!; p21 = v[p0 + 11]!; p22 = v[p0 + 12]!; p23 = v[p0 + 13]!; p24 = v[p0 + 14]!;
        p30 = v[p0 + 15]!; p31 = v[p0 + 16]!; p32 = v[p0 + 17]!; p33 = v[p0 + 18]!; p34 = v[p0 + 19]!;
        held = true;
      }
      // ap_imp: total, sharp, peak, flat, valley
      const c00 = v[c0 + 0]!, c01 = v[c0 + 1]!, c02 = v[c0 + 2]!, c03 = v[c0 + 3]!, c04 = v[c0 + 4]!;
      let t00 = c00 - p00, t01 = c01 - p01, t02 = c02 - p02, t03 = c03 - p03, t04 = c04 - p04;
      if (Math.min(t00, t01, t02, t03, t04) < 0) {
        f |= wrapDeltas(v, p0 + 0, c0 + 0, cap, max, scratch);
        t00 = scratch[0]!; t01 = scratch[1]!; t02 = scratch[2]!; t03 = scratch[3]!; t04 = scratch[4]!;
      }
      deltas[d0 + 0] = t00; deltas[d0 + 1] = t01; deltas[d0 + 2] = t02; deltas[d0 + 3] = t03; deltas[d0 + 4] = t04;
      const tiers0 = t01 + t02 + t03 + t04;
      if (tiers0 - t00 > touTol || t00 - tiers0 > touTol) f |= TOU_MISMATCH;
      if (t00 > max) f |= OVER_MAX;
      if (t00 === 0 && tiers0 > 0) { if (++st0 >= stuckN) f |= STUCK; } else st0 = 0;
      // ap_exp: total, sharp, peak, flat, valley
      const c10 = v[c0 + 5]!, c11 = v[c0 + 6]!, c12 = v[c0 + 7]!, c13 = v[c0 + 8]!, c14 = v[c0 + 9]!;
      let t10 = c10 - p10, t11 = c11 - p11, t12 = c12 - p12, t13 = c13 - p13, t14 = c14 - p14;
      if (Math.min(t10, t11, t12, t13, t14) < 0) {
        f |= wrapDeltas(v, p0 + 5, c0 + 5, cap, max, scratch);
        t10 = scratch[0]!; t11 = scratch[1]!; t12 = scratch[2]!; t13 = scratch[3]!; t14 = scratch[4]!;
      }
      deltas[d0 + 5] = t10; deltas[d0 + 6] = t11; deltas[d0 + 7] = t12; deltas[d0 + 8] = t13; deltas[d0 + 9] = t14;
      const tiers1 = t11 + t12 + t13 + t14;
      if (tiers1 - t10 > touTol || t10 - tiers1 > touTol) f |= TOU_MISMATCH;
      if (t10 > max) f |= OVER_MAX;
      if (t10 === 0 && tiers1 > 0) { if (++st1 >= stuckN) f |= STUCK; } else st1 = 0;
      // rp_imp: total, sharp, peak, flat, valley
      const c20 = v[c0 + 10]!, c21 = v[c0 + 11]!, c22 = v[c0 + 12]!, c23 = v[c0 + 13]!, c24 = v[c0 + 14]!;
      let t20 = c20 - p20, t21 = c21 - p21, t22 = c22 - p22, t23 = c23 - p23, t24 = c24 - p24;
      if (Math.min(t20, t21, t22, t23, t24) < 0) {
        f |= wrapDeltas(v, p0 + 10, c0 + 10, cap, max, scratch);
        t20 = scratch[0]!; t21 = scratch[1]!; t22 = scratch[2]!; t23 = scratch[3]!; t24 = scratch[4]!;
      }
      deltas[d0 + 10] = t20; deltas[d0 + 11] = t21; deltas[d0 + 12] = t22; deltas[d0 + 13] = t23; deltas[d0 + 14] = t24;
      const tiers2 = t21 + t22 + t23 + t24;
      if (tiers2 - t20 > touTol || t20 - tiers2 > touTol) f |= TOU_MISMATCH;
      if (t20 > max) f |= OVER_MAX;
      if (t20 === 0 && tiers2 > 0) { if (++st2 >= stuckN) f |= STUCK; } else st2 = 0;
      // rp_exp: total, sharp, peak, flat, valley
      const c30 = v[c0 + 15]!, c31 = v[c0 + 16]!, c32 = v[c0 + 17]!, c33 = v[c0 + 18]!, c34 = v[c0 + 19]!;
      let t30 = c30 - p30, t31 = c31 - p31, t32 = c32 - p32, t33 = c33 - p33, t34 = c34 - p34;
      if (Math.min(t30, t31, t32, t33, t34) < 0) {
        f |= wrapDeltas(v, p0 + 15, c0 + 15, cap, max, scratch);
        t30 = scratch[0]!; t31 = scratch[1]!; t32 = scratch[2]!; t33 = scratch[3]!; t34 = scratch[4]!;
      }
      deltas[d0 + 15] = t30; deltas[d0 + 16] = t31; deltas[d0 + 17] = t32; deltas[d0 + 18] = t33; deltas[d0 + 19] = t34;
      const tiers3 = t31 + t32 + t33 + t34;
      if (tiers3 - t30 > touTol || t30 - tiers3 > touTol) f |= TOU_MISMATCH;
      if (t30 > max) f |= OVER_MAX;
      if (t30 === 0 && tiers3 > 0) { if (++st3 >= stuckN) f |= STUCK; } else st3 = 0;
      if (wide && Math.max(t00, t01, t02, t03, t04, t10, t11, t12, t13, t14, t20, t21, t22, t23, t24, t30, t31, t32, t33, t34) > 0xffff_ffff) f |= WIDE;
      const moved = t00 + tiers0 + t10 + tiers1 + t20 + tiers2 + t30 + tiers3;
      const imp = t00;
      const exp = t10;
      if (importOnly && exp > revTol) f |= REVERSE;
      // a register going down is not a reading standing still
      if (moved === 0 && loaded && (f & DECREASE) === 0 && c00 + base0 > 0) { if (++frozen >= frozenN) f |= FROZEN; } else frozen = 0;
      // demand jump against the previous interval, per active direction
      if ((imp1 >= jumpMin && Math.abs(imp - imp1) * 100 > jumpPct * imp1) || (exp1 >= jumpMin && Math.abs(exp - exp1) * 100 > jumpPct * exp1)) f |= DEMAND_JUMP;
      // the previous interval is a spike when far above both of its neighbours (before the chunk: not its to judge)
      if (j > 0 && spike(imp2, imp1, imp, exp2, exp1, exp, spikeF, spikeMin)) flags[fi - 1]! |= SPIKE;
      flags[fi] = f;
      p00 = c00; p01 = c01; p02 = c02; p03 = c03; p04 = c04;
      p10 = c10; p11 = c11; p12 = c12; p13 = c13; p14 = c14;
      p20 = c20; p21 = c21; p22 = c22; p23 = c23; p24 = c24;
      p30 = c30; p31 = c31; p32 = c32; p33 = c33; p34 = c34;
      if (f & DECREASE) { imp1 = imp2 = exp1 = exp2 = -1; } else { imp2 = imp1; imp1 = imp; exp2 = exp1; exp1 = exp; }
    }
    const na = chunk.neighboursAfter;
    if (na && to === I && I > 0) {
      const k = row * NEIGHBOURS_AFTER;
      if (na[k]! >= 0 && spike(imp2, imp1, na[k]!, exp2, exp1, na[k + 1]!, spikeF, spikeMin)) flags[row * I + I - 1]! |= SPIKE;
    }
    runsAtEnd[rc] = frozen; runsAtEnd[rc + 1] = st0; runsAtEnd[rc + 2] = st1; runsAtEnd[rc + 3] = st2; runsAtEnd[rc + 4] = st3;
  }
  return res;
}

/** Whether the middle of three intervals (active import, then export, deltas; -1 = not available) is a spike. */
function spike(imp2: number, imp1: number, imp: number, exp2: number, exp1: number, exp: number, factor: number, min: number): boolean {
  return (imp1 >= min && imp2 >= 0 && imp1 > factor * imp2 && imp1 > factor * imp) || (exp1 >= min && exp2 >= 0 && exp1 > factor * exp2 && exp1 > factor * exp);
}

/**
 * The rare path, kept out of the loop body: deltas of the five registers at p0 → c0 with
 * wraps accepted up to `max` and decreases zeroed; writes them to `out`, returns the flags.
 */
function wrapDeltas(v: ArrayLike<number>, p0: number, c0: number, cap: number, max: number, out: Float64Array): number {
  let f = 0;
  for (let k = 0; k < 5; k++) {
    let t = v[c0 + k]! - v[p0 + k]!;
    if (t < 0) {
      t += cap;
      if (t < 0 || t > max) {
        t = 0;
        f |= DECREASE;
      } else f |= t > 0xffff_ffff ? ROLLOVER | WIDE : ROLLOVER;
    }
    out[k] = t;
  }
  return f;
}
