/**
 * A hand-built `sim-terminal-v1` register image per unit (DESIGN.md §7), independent of
 * `simulators/`: energy at 0..39, instantaneous at 64..78, clock at 96, load profile at 128..181.
 */
import { encodeWords } from '../../../collector/index.ts';

export interface SimUnit {
  registers: number[]; // 20 hundredths
  clock: number; // unix seconds
  records: Map<number, number[]>; // unix seconds → 20 registers
  interval: number;
  selected: number;
}

export function simUnit(seed: number, records: number[] = [], interval = 900): SimUnit {
  const registers = Array.from({ length: 20 }, (_, i) => seed * 1_000_000 + i * 1000 + 7);
  const recs = new Map(records.map((t, k) => [t, registers.map((v) => v - (records.length - k) * 10)]));
  return { registers, clock: 1_735_689_600, records: recs, interval, selected: 0 };
}

/** The word at `address`, or undefined where the map has nothing (→ illegal data address). */
export function simWord(u: SimUnit, address: number): number | undefined {
  const words = new Map<number, number>();
  u.registers.forEach((v, i) => encodeWords(v, 'uint32').forEach((w, k) => words.set(i * 2 + k, w)));
  const put = (a: number, ws: number[]): void => ws.forEach((w, k) => words.set(a + k, w));
  put(64, [...encodeWords(23000, 'uint32'), ...encodeWords(23100, 'uint32'), ...encodeWords(23200, 'uint32')]);
  put(70, [...encodeWords(1000, 'uint32'), ...encodeWords(2000, 'uint32'), ...encodeWords(3000, 'uint32')]);
  put(76, encodeWords(-1500, 'int32'));
  put(78, encodeWords(950, 'int16'));
  put(96, encodeWords(u.clock, 'uint32'));
  const times = [...u.records.keys()].sort((a, b) => a - b);
  put(128, [...encodeWords(times[0] ?? 0, 'uint32'), ...encodeWords(times.at(-1) ?? 0, 'uint32'), ...encodeWords(u.interval, 'uint32')]);
  put(136, encodeWords(u.selected, 'uint32'));
  const rec = u.records.get(u.selected);
  put(140, encodeWords(rec ? u.selected : 0, 'uint32'));
  (rec ?? new Array(20).fill(0)).forEach((v, i) => put(142 + i * 2, encodeWords(v, 'uint32')));
  // Holes a real terminal may leave unreadable: 40..63, 80..95, 98..127 read as 0 here.
  if (address < 208 && !words.has(address)) return 0;
  return words.get(address);
}

/** Apply a write of `values` at `address`. */
export function simWrite(u: SimUnit, address: number, values: number[]): boolean {
  if (address !== 136 || values.length !== 2) return false;
  u.selected = values[0]! * 65536 + values[1]!;
  return true;
}
