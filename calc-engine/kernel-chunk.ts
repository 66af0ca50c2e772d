/**
 * Lay points out as a kernel chunk: one row per (point, epoch) over a common grid of
 * `intervals` intervals from `from`. Inside its epoch a row holds the raw readings; before the
 * epoch's start it repeats the start reading and after its end the end reading (a meter that is
 * not installed counts nothing), which is what makes the replacement and CT/PT splits come out
 * of plain deltas.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import type { KernelChunk } from './kernel.ts';
import { ChunkValues } from './kernel-values.ts';
import { carriedNeighbours, carriedRuns, epochSource, NEIGHBOURS_AFTER, NEIGHBOURS_BEFORE, RUN_COUNTERS } from './kernel-carry.ts';
import { intervalMs, type PointData } from './point.ts';
import type { Rational } from './rational.ts';
import { epochRegisterAt } from './readings.ts';
import { maxSteps } from './rollover.ts';
import { checkedSnapshot, readRegisters } from './unread-registers.ts';

/** What turns a row's register steps into primary kWh/kvarh. */
export interface RowEnergy {
  readonly multiplier: Rational;
  /** The point's physical maximum of one interval, hundredths of a primary unit. */
  readonly maxIntervalEnergy: number;
}

/** A chunk plus, per row, whose point it is and what turns its deltas into energy. */
export interface PointChunk {
  readonly chunk: KernelChunk;
  readonly rowPoints: string[];
  readonly rowMeters: string[];
  readonly rowEnergy: RowEnergy[];
}

/**
 * Build the chunk for `points` (all with the same interval length) over intervals
 * (from + jΔ, from + (j+1)Δ], j < intervals. A snapshot is present when every register of it
 * could be read without estimation: every register the meter reads (unread-registers.ts), as the
 * checks judge it. `carriesLoad` marks points known to carry load. Frozen and
 * stuck runs and the neighbours of the first and last interval are carried across the window's
 * edges (kernel-carry.ts).
 */
export function pointChunk(points: readonly PointData[], from: number, intervals: number, carriesLoad: (p: PointData) => boolean = () => false): PointChunk {
  const rows: { p: PointData; e: PointData['epochs'][number] }[] = [];
  for (const p of points) {
    const dt = intervalMs(p.config);
    for (const e of p.epochs) if (e.to > from && e.from < from + intervals * dt) rows.push({ p, e });
  }
  const S = intervals + 1;
  const n = rows.length;
  const values = new ChunkValues(n, S);
  const chunk = {
    rows: n, snapshots: S,
    present: new Uint8Array(n * S),
    capacity: new Float64Array(n), maxSteps: new Float64Array(n),
    importOnly: new Uint8Array(n), carriesLoad: new Uint8Array(n),
    activeFrom: new Int32Array(n), activeTo: new Int32Array(n),
    runsBefore: new Int32Array(n * RUN_COUNTERS),
    runsAfter: new Int32Array(n * RUN_COUNTERS),
    neighboursBefore: new Float64Array(n * NEIGHBOURS_BEFORE).fill(-1),
    neighboursAfter: new Float64Array(n * NEIGHBOURS_AFTER).fill(-1),
    limits: rows.map(({ p }) => p.config.intervalLimits),
  };
  rows.forEach(({ p, e }, row) => {
    const dt = intervalMs(p.config);
    chunk.capacity[row] = e.capacity;
    chunk.maxSteps[row] = maxSteps(p.config.maxIntervalEnergy, 1, e.multiplier.num, e.multiplier.den, e.capacity);
    chunk.importOnly[row] = p.config.importOnly ? 1 : 0;
    chunk.carriesLoad[row] = carriesLoad(p) ? 1 : 0;
    // Runs and neighbours carried across the window's edges, read as this row holds its epoch.
    const end = from + intervals * dt;
    // A meter that reads only some registers is judged on those (unread-registers.ts), which
    // registers it reads taken from all its loaded readings, not one window's.
    const read = readRegisters(p.series.values);
    const src = epochSource(p.series, e, chunk.maxSteps[row]!, read);
    const loaded = chunk.carriesLoad[row] === 1;
    carriedRuns(src, from, dt, loaded, chunk.runsBefore, row * RUN_COUNTERS, chunk.limits[row]);
    carriedRuns(src, end, dt, loaded, chunk.runsAfter, row * RUN_COUNTERS, chunk.limits[row], 1);
    carriedNeighbours(src, from, dt, chunk.neighboursBefore, row * NEIGHBOURS_BEFORE, -1);
    carriedNeighbours(src, end, dt, chunk.neighboursAfter, row * NEIGHBOURS_AFTER, 1);
    chunk.activeFrom[row] = Math.max(0, Math.floor((e.from - from) / dt));
    chunk.activeTo[row] = Math.min(intervals, Math.ceil((e.to - from) / dt));
    const raw = new Float64Array(S * REGISTER_COUNT);
    for (let s = 0; s < S; s++) {
      const t = Math.min(Math.max(from + s * dt, e.from), e.to);
      for (let r = 0; r < REGISTER_COUNT; r++) raw[s * REGISTER_COUNT + r] = epochRegisterAt(p.series, e, t, r, 0).value;
    }
    const checked = new Float64Array(REGISTER_COUNT);
    for (let s = 0; s < S; s++) {
      const o = s * REGISTER_COUNT;
      const snap = checkedSnapshot(raw, o, read, checked);
      for (let r = 0; r < REGISTER_COUNT; r++) {
        const v = snap ? snap[r]! : raw[o + r]!;
        if (!Number.isNaN(v)) values.put(row, s, r, v);
      }
      chunk.present[row * S + s] = snap ? 1 : 0;
    }
  });
  return { chunk: { ...chunk, ...values.layout() }, rowPoints: rows.map((r) => r.p.config.id), rowMeters: rows.map((r) => r.e.meterId),
    rowEnergy: rows.map((r) => ({ multiplier: r.e.multiplier, maxIntervalEnergy: r.p.config.maxIntervalEnergy })) };
}
