/** Shared builders for the simulator tests. */
import { Meter, ProfileLoad, TariffCalendar, zoneOf, type MeterConfig } from '../../simulators/meter/index.ts';
import { Terminal } from '../../simulators/terminal/index.ts';
import type { ShapeName } from '../../simulators/meter/load.ts';

/** A meter config with a profile load. */
export function meterConfig(o: { seed?: number; zone?: string; start: number; peakKw?: number; pvKw?: number; shape?: ShapeName; capacity?: number; initial?: number[]; step?: number; interval?: number; depth?: number; ct?: number }): MeterConfig {
  const zone = zoneOf(o.zone ?? 'UTC');
  const seed = o.seed ?? 1;
  return {
    serial: `T-${seed}`,
    seed,
    load: new ProfileLoad({ kind: 'profile', shape: o.shape ?? 'residential', peakKw: o.peakKw ?? 50, ...(o.pvKw ? { pvKw: o.pvKw } : {}) }, seed, zone, o.step ?? 60),
    tariff: new TariffCalendar(),
    zone,
    start: o.start,
    ...(o.capacity ? { capacity: o.capacity } : {}),
    ...(o.initial ? { initial: o.initial } : {}),
    ...(o.interval ? { intervalSeconds: o.interval } : {}),
    ...(o.depth ? { profileDepth: o.depth } : {}),
    ...(o.ct ? { ctRatio: o.ct } : {}),
  };
}

/** A terminal with `n` residential meters at units 1..n. */
export function terminalWith(n: number, start: number, seed = 1, id = 'term-1'): Terminal {
  const t = new Terminal(id, start, 900);
  for (let u = 1; u <= n; u++) {
    const cfg = { ...meterConfig({ seed: seed * 100 + u, start, peakKw: 20 * u, pvKw: u === n ? 40 : 0 }), serial: `SN-${u}` };
    t.addMeter({ unit: u, name: `m${u}`, meter: new Meter(cfg), config: cfg });
  }
  return t;
}

/** Unix seconds of an ISO time. */
export const at = (iso: string): number => Date.parse(iso) / 1000;

/** Words (16-bit) to uint32 values, big-endian word order. */
export function u32(words: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < words.length; i += 2) out.push(words[i]! * 65536 + words[i + 1]!);
  return out;
}
