/**
 * Reading stored interval records from a terminal's Modbus load profile (`sim-terminal-v1`:
 * info at 128..133, wanted time written at 136 with function 16, record at 140..181).
 */
import { REGISTER_COUNT } from '../../schema/registers.ts';
import { decodeWords, encodeWords } from '../decoding/index.ts';
import type { LoadProfileMap } from '../profiles/index.ts';
import type { ModbusTransport } from '../transports/types.ts';
import { intervalEnds as gridEnds } from '../../calc-engine/index.ts';

/** What a meter's load profile holds. */
export interface LoadProfileInfo {
  /** Oldest stored record, or null when empty. */
  oldest: Date | null;
  /** Newest stored record, or null when empty. */
  newest: Date | null;
  /** Record interval, seconds. */
  intervalSeconds: number;
}

/** One stored record. */
export interface StoredRecord {
  /** Record time (interval end). */
  ts: Date;
  /** The 20 registers, integer hundredths. */
  values: number[];
}

/** Result of reading a span of records. */
export interface HistorySpan {
  /** Records found, oldest first. */
  records: StoredRecord[];
  /** Wanted record times the meter no longer (or never) held: reported, never invented. */
  unavailable: Date[];
}

const u32 = (w: ArrayLike<number>, i: number): number => decodeWords(w, i, 'uint32', 'high-first');

// The select-then-read pair must not interleave with another on the same meter.
const locks = new WeakMap<ModbusTransport, Map<number, Promise<unknown>>>();
function exclusive<T>(t: ModbusTransport, unitId: number, task: () => Promise<T>): Promise<T> {
  let byUnit = locks.get(t);
  if (!byUnit) locks.set(t, (byUnit = new Map()));
  const prev = byUnit.get(unitId) ?? Promise.resolve();
  const next = prev.then(task, task);
  byUnit.set(unitId, next.catch(() => undefined));
  return next;
}

/** Read the load profile's oldest/newest record times and interval. */
export async function readLoadProfileInfo(t: ModbusTransport, unitId: number, map: LoadProfileMap, signal?: AbortSignal): Promise<LoadProfileInfo> {
  const w = await t.readHolding(unitId, map.infoAddress, 6, signal);
  const oldest = u32(w, 0);
  const newest = u32(w, 2);
  return {
    oldest: oldest ? new Date(oldest * 1000) : null,
    newest: newest ? new Date(newest * 1000) : null,
    intervalSeconds: u32(w, 4),
  };
}

/** Read the record stored for time `ts`, or null when the meter holds none for it. */
export function readStoredRecord(t: ModbusTransport, unitId: number, map: LoadProfileMap, ts: Date, signal?: AbortSignal): Promise<StoredRecord | null> {
  const seconds = Math.floor(ts.getTime() / 1000);
  return exclusive(t, unitId, async () => {
    await t.writeMultiple(unitId, map.selectAddress, encodeWords(seconds, 'uint32'), signal);
    const w = await t.readHolding(unitId, map.recordAddress, 2 + REGISTER_COUNT * 2, signal);
    const at = u32(w, 0);
    if (at === 0) return null;
    if (at !== seconds) throw new Error(`terminal ${t.terminal} unit ${unitId} register ${map.recordAddress}: asked for record ${seconds}, got ${at}`);
    const values: number[] = [];
    for (let i = 0; i < REGISTER_COUNT; i++) values.push(Math.round(u32(w, 2 + i * 2) * map.scale));
    return { ts: new Date(at * 1000), values };
  });
}

/**
 * Read every wanted record time in `wanted` (interval ends), oldest first. Times outside the
 * meter's [oldest, newest] and times it answers with "none" are returned as unavailable.
 */
export async function readHistory(
  t: ModbusTransport,
  unitId: number,
  map: LoadProfileMap,
  wanted: readonly Date[],
  signal?: AbortSignal,
): Promise<HistorySpan> {
  const info = await readLoadProfileInfo(t, unitId, map, signal);
  const span: HistorySpan = { records: [], unavailable: [] };
  const sorted = [...wanted].sort((a, b) => a.getTime() - b.getTime());
  for (const ts of sorted) {
    const inside = info.oldest !== null && info.newest !== null && ts >= info.oldest && ts <= info.newest;
    const record = inside ? await readStoredRecord(t, unitId, map, ts, signal) : null;
    if (record) span.records.push(record);
    else span.unavailable.push(ts);
  }
  return span;
}

/** The record times (interval ends) in (from, to] for an interval of `intervalSeconds`: the engine's grid, as Dates. */
export function intervalEnds(from: Date, to: Date, intervalSeconds: number): Date[] {
  return gridEnds(from.getTime(), to.getTime(), intervalSeconds * 1000).map((t) => new Date(t));
}
