/**
 * The request planner: merges the register ranges a profile wants into as few read requests as
 * the wire allows (DESIGN.md §7), in the spirit of Telegraf's Modbus request optimisation.
 */
import { registerWidth, type MeterProfile, type RegisterTable } from '../profiles/index.ts';

/** A contiguous block of registers in one table. */
export interface RegisterRange {
  /** Register table. */
  table: RegisterTable;
  /** First address. */
  address: number;
  /** Number of registers. */
  count: number;
}

/** Planner limits. */
export interface PlanOptions {
  /** Largest request in registers (Modbus allows 125; some devices want less). */
  maxCount?: number;
  /** Largest number of unwanted registers read inside one gap between wanted ranges. */
  maxGap?: number;
}

/**
 * Merge `ranges` into read requests: sorted by table and address, overlapping or adjacent
 * ranges always merge, ranges separated by at most `maxGap` unwanted registers merge while the
 * request stays within `maxCount`. A single range longer than `maxCount` is split.
 */
export function planRequests(ranges: readonly RegisterRange[], options: PlanOptions = {}): RegisterRange[] {
  const maxCount = options.maxCount ?? 125;
  const maxGap = options.maxGap ?? 0;
  if (maxCount < 1 || maxCount > 125) throw new RangeError(`maxCount ${maxCount} outside 1..125`);
  if (maxGap < 0) throw new RangeError(`maxGap ${maxGap} is negative`);
  const sorted = [...ranges].sort((a, b) =>
    a.table === b.table ? a.address - b.address || b.count - a.count : a.table < b.table ? -1 : 1,
  );
  const out: RegisterRange[] = [];
  for (const r of sorted) {
    if (r.count < 1) continue;
    const rEnd = r.address + r.count;
    let from = r.address;
    const last = out[out.length - 1];
    if (last && last.table === r.table) {
      const lastEnd = last.address + last.count;
      if (rEnd <= lastEnd) continue;
      if (r.address - lastEnd <= maxGap && rEnd - last.address <= maxCount) {
        last.count = rEnd - last.address;
        continue;
      }
      from = Math.max(from, lastEnd);
    }
    for (let a = from; a < rEnd; a += maxCount) out.push({ table: r.table, address: a, count: Math.min(maxCount, rEnd - a) });
  }
  return out;
}

/** The ranges a profile's fields occupy. */
export function profileRanges(profile: MeterProfile): RegisterRange[] {
  return profile.fields.map((f) => ({ table: f.table ?? profile.table, address: f.address, count: registerWidth(f.type) }));
}

/** The read requests for one routine poll of a meter with `profile`. */
export function planProfile(profile: MeterProfile, options: PlanOptions = {}): RegisterRange[] {
  return planRequests(profileRanges(profile), { maxGap: profile.maxGap, ...options });
}
