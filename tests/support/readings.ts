/** Raw readings for database tests. */
import { DEFAULT_REGISTER_CAPACITY, type ReadingRow } from '../../schema/index.ts';

/**
 * Readings of one point every 15 minutes over [from, to] (epoch ms): `ap_imp.total` rising by
 * `perInterval` steps from `start`. Other registers unread, or with `allRegisters` read as 0 but
 * the flat tier, which carries the import (a snapshot the kernel counts as whole).
 */
export function risingReadings(point: string, from: number, to: number, perInterval: number, opts: { start?: number; allRegisters?: boolean } = {}): ReadingRow[] {
  const out: ReadingRow[] = [];
  for (let t = from, i = 0; t <= to; t += 900_000, i++) {
    const v = new Array<number | null>(20).fill(opts.allRegisters ? 0 : null);
    v[0] = (opts.start ?? 1_000_000) + i * perInterval;
    if (opts.allRegisters) v[3] = v[0];
    out.push({ pointId: point, ts: new Date(t), source: 'poll', values: v });
  }
  return out;
}

/** What a meter does in the interval ending at snapshot i. */
export interface MeterInterval {
  /** Export steps in the interval (default 0). */
  export?: number;
  /** Nothing moves: import stands still too (default false: 100 import steps). */
  frozen?: boolean;
  /** The import total stands still while its flat tier takes the import (a stuck register). */
  stuck?: boolean;
  /** Import steps in the interval (default 100). */
  import?: number;
}

/**
 * Snapshots `from`..n of a point every 15 minutes from t0, every register read (the flat tier
 * carries each direction's energy, reactive stays 0): import from `importStart` rising 100 steps
 * an interval (or `import`) unless frozen (its total unless stuck), export from `exportStart` by what each interval exports, wrapping at
 * `capacity`. Snapshots `absent(i)` were not collected.
 */
export function meterSnapshots(point: string, t0: number, n: number, interval: (i: number) => MeterInterval,
  opts: { from?: number; absent?: (i: number) => boolean; importStart?: number; exportStart?: number; capacity?: number } = {}): ReadingRow[] {
  const out: ReadingRow[] = [];
  let imp = opts.importStart ?? 10_000, flat = imp, exp = opts.exportStart ?? 20_000;
  for (let i = 0; i <= n; i++) {
    if (i > 0) {
      const d = interval(i);
      const steps = d.frozen ? 0 : (d.import ?? 100);
      flat += steps;
      if (!d.stuck) imp += steps;
      exp = (exp + (d.export ?? 0)) % (opts.capacity ?? DEFAULT_REGISTER_CAPACITY);
    }
    if (i < (opts.from ?? 0) || opts.absent?.(i)) continue;
    const v = new Array<number | null>(20).fill(0);
    v[0] = imp;
    v[3] = flat;
    v[5] = v[8] = exp;
    out.push({ pointId: point, ts: new Date(t0 + i * 900_000), source: 'poll', values: v });
  }
  return out;
}
