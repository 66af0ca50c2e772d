/**
 * The demo's check against the simulators' ground truth: every interval record a simulated
 * meter produced in the window must be stored exactly, once, for its metering point.
 */
import { REGISTER_COLUMNS, type Database } from '../../schema/index.ts';
import type { Recording } from '../../simulators/index.ts';

/** How the stored readings compare with the ground truth. */
export interface GroundTruthCheck {
  /** Interval records the simulated meters produced in the window. */
  expected: number;
  /** Of those, stored with every register equal. */
  matched: number;
  /** Not stored at all: `point@time` for the first few. */
  missing: string[];
  missingCount: number;
  /** Stored with a different value: `point@time register stored≠true`. */
  mismatched: string[];
  mismatchedCount: number;
}

/** Compare stored readings of [from, to] (Unix seconds) with the recording; `pointOf` maps terminal/unit to a point. */
export async function checkGroundTruth(handle: Database, rec: Recording, from: number, to: number, pointOf: (terminal: string, unit: number) => string | undefined): Promise<GroundTruthCheck> {
  const want = rec.intervals.filter((i) => i.time >= from && i.time <= to);
  // At a meter swap both the old meter's final and the new meter's initial reading are true.
  const swapped = new Map(rec.events.flatMap((e) => (e.type === 'replacement' ? [[`${e.terminal}/${e.unit}@${e.time}`, e.initialRegisters] as const] : [])));
  const stored = await handle.pool.query(`SELECT point_id, extract(epoch from ts)::bigint AS t, ${REGISTER_COLUMNS.join(', ')} FROM reading WHERE ts >= to_timestamp($1) AND ts <= to_timestamp($2)`, [from, to]);
  const byKey = new Map<string, Record<string, string | null>>();
  for (const r of stored.rows) byKey.set(`${r.point_id}@${r.t}`, r);
  const out: GroundTruthCheck = { expected: want.length, matched: 0, missing: [], missingCount: 0, mismatched: [], mismatchedCount: 0 };
  for (const i of want) {
    const point = pointOf(i.terminal, i.unit);
    if (!point) continue;
    const row = byKey.get(`${point}@${i.time}`);
    const label = `${point}@${new Date(i.time * 1000).toISOString()}`;
    if (!row) {
      out.missingCount++;
      if (out.missing.length < 10) out.missing.push(label);
      continue;
    }
    const alt = swapped.get(`${i.terminal}/${i.unit}@${i.time}`);
    const differs = (regs: readonly number[]) => REGISTER_COLUMNS.findIndex((c, k) => row[c] !== null && Number(row[c]) !== regs[k]);
    const bad = differs(i.registers) >= 0 && alt && differs(alt) < 0 ? -1 : differs(i.registers);
    const absent = REGISTER_COLUMNS.findIndex((c) => row[c] === null);
    if (bad >= 0 || absent >= 0) {
      out.mismatchedCount++;
      const k = bad >= 0 ? bad : absent;
      if (out.mismatched.length < 10) out.mismatched.push(`${label} ${REGISTER_COLUMNS[k]} stored ${row[REGISTER_COLUMNS[k]!]} ≠ true ${i.registers[k]}`);
    } else out.matched++;
  }
  return out;
}
