/** Raw readings for database tests. */
import type { ReadingRow } from '../../schema/index.ts';

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
