/**
 * The `sim-terminal-v1` holding-register map (DESIGN.md §7), pure: a meter view in, 16-bit
 * words out. 32-bit values are big-endian, high word first. Gaps inside the map read as 0 so a
 * collector may merge adjacent ranges into one request; addresses past the map are illegal.
 */
import type { MeterView } from './terminal.ts';

/** Register addresses of `sim-terminal-v1`. */
export const SIM_TERMINAL_V1 = {
  energy: 0,
  instant: 64,
  powerFactor: 78,
  clock: 96,
  profileRange: 128,
  profileInterval: 132,
  recordSelect: 136,
  record: 140,
  /**
   * Per phase A, B, C: count, cumulative seconds, last start, last end, uint32 each: 12 values =
   * 24 registers (192…215). DESIGN.md §7 says "16" for this row, which cannot hold 12 uint32s.
   */
  voltageLoss: 192,
  /** First address past the map. */
  end: 216,
} as const;

/** Modbus exception codes used by the simulator. */
export const EXCEPTION = {
  illegalFunction: 1,
  illegalAddress: 2,
  illegalValue: 3,
  deviceFailure: 4,
  busy: 6,
  gatewayTargetFailed: 0x0b,
} as const;

function put32(words: number[], addr: number, value: number): void {
  const v = value < 0 ? value + 2 ** 32 : value; // int32 as two's complement
  words[addr] = Math.floor(v / 65536) & 0xffff;
  words[addr + 1] = v & 0xffff;
}

/** The full register image (addresses 0 … end−1) of a meter, with record `selected` at 140. */
export function registerImage(view: MeterView, selected: number | undefined): number[] {
  const w = new Array<number>(SIM_TERMINAL_V1.end).fill(0);
  const r = view.reading();
  r.registers.forEach((v, i) => put32(w, SIM_TERMINAL_V1.energy + 2 * i, v));
  r.voltage.forEach((v, i) => put32(w, SIM_TERMINAL_V1.instant + 2 * i, v));
  r.current.forEach((v, i) => put32(w, SIM_TERMINAL_V1.instant + 6 + 2 * i, v));
  put32(w, SIM_TERMINAL_V1.instant + 12, r.power);
  w[SIM_TERMINAL_V1.powerFactor] = r.powerFactor & 0xffff;
  put32(w, SIM_TERMINAL_V1.clock, r.clock);
  put32(w, SIM_TERMINAL_V1.profileRange, view.profile.oldest()?.time ?? 0);
  put32(w, SIM_TERMINAL_V1.profileRange + 2, view.profile.newest()?.time ?? 0);
  put32(w, SIM_TERMINAL_V1.profileInterval, view.intervalSeconds);
  put32(w, SIM_TERMINAL_V1.recordSelect, selected ?? 0);
  const rec = selected === undefined ? undefined : view.profile.find(selected);
  if (rec) {
    put32(w, SIM_TERMINAL_V1.record, rec.time);
    rec.registers.forEach((v, i) => put32(w, SIM_TERMINAL_V1.record + 2 + 2 * i, v));
  }
  r.lossOfVoltage.forEach((p, i) => {
    const base = SIM_TERMINAL_V1.voltageLoss + 8 * i;
    put32(w, base, p.count);
    put32(w, base + 2, p.seconds);
    put32(w, base + 4, p.lastStart);
    put32(w, base + 6, p.lastEnd);
  });
  return w;
}

/** Read `count` holding registers from `addr`, or a Modbus exception code. */
export function readHolding(view: MeterView, selected: number | undefined, addr: number, count: number): number[] | number {
  if (count < 1 || count > 125) return EXCEPTION.illegalValue;
  if (addr + count > SIM_TERMINAL_V1.end) return EXCEPTION.illegalAddress;
  return registerImage(view, selected).slice(addr, addr + count);
}

/**
 * Write holding registers: only the record selector (136, two words) is writable, whole or one
 * word at a time (high word at 136, low at 137, over the `current` selection). Returns the
 * selected time, or a Modbus exception code.
 */
export function writeHolding(addr: number, values: readonly number[], current = 0): { select: number } | number {
  if (values.length < 1 || values.length > 123) return EXCEPTION.illegalValue;
  const at = addr - SIM_TERMINAL_V1.recordSelect;
  // Both words at once, or one of them (function 6, or 16 with one word): the other keeps its value.
  if (at === 0 && values.length === 2) return { select: values[0]! * 65536 + values[1]! };
  if (values.length === 1 && at === 0) return { select: values[0]! * 65536 + (current % 65536) };
  if (values.length === 1 && at === 1) return { select: Math.floor(current / 65536) * 65536 + values[0]! };
  return EXCEPTION.illegalAddress;
}
