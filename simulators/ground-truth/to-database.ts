/**
 * The fast path straight into the database (issue 3 item 5): P points × D days of ground truth
 * written through the storage's bulk write path, without terminals, transports or files. The
 * archive rows (a substation and one metering point per simulated meter, with the CT/PT ratios
 * the meter counts behind) are written first, so the engine can compute on the result at once.
 */
import { REGISTER_COUNT, writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import type { LoadSpec } from '../meter/index.ts';
import { groundTruth, type PointSpec } from './index.ts';

/** What to generate and how to write it. */
export interface DatabaseFixtureOptions {
  points: number;
  days: number;
  /** First instant (inclusive, epoch ms); the last snapshot is `days` later (inclusive). */
  from: number;
  /** Last instant (inclusive, epoch ms) instead of `days` later, e.g. a local month's end across DST. */
  to?: number;
  /** IANA zone of the points and of their load shapes (default UTC). */
  zone?: string;
  seed?: number;
  /** Point ids are `${prefix}${index, 5 digits}` (default `B`). */
  prefix?: string;
  /** Snapshots per `writeReadings` call (default 20 000). */
  batch?: number;
  /** Mark the written ranges dirty for the engine (default false: a bulk load, recomputed in full). */
  markDirty?: boolean;
  /**
   * Snapshots to hold back instead of writing (e.g. the point-days a later backfill brings):
   * returned in `held`, so a caller can write them later exactly as generated.
   */
  hold?: (pointIndex: number, unixSeconds: number) => boolean;
  /** Progress lines (default none). */
  log?: (line: string) => void;
}

/** What was written. */
export interface DatabaseFixture {
  pointIds: string[];
  written: number;
  held: ReadingRow[];
  ms: number;
}

const SHAPES = ['industrial', 'commercial', 'residential', 'flat'] as const;
// Integer CT × PT multipliers, as on real feeders (400/5 A × 10 kV/100 V = 8 000, …); the mix
// keeps some points direct so both M = 1 and M > 1 are exercised.
const RATIOS: [number, number][] = [[80, 100], [40, 100], [20, 1], [1, 1]];

/** The simulated point of index i: a load shape, a size, a few with PV export, a multiplier. */
export function fixturePoint(prefix: string, i: number): PointSpec {
  const [ct, pt] = RATIOS[i % RATIOS.length]!;
  const load: LoadSpec = {
    kind: 'profile',
    shape: SHAPES[(i >> 2) % SHAPES.length]!,
    peakKw: 200 + ((i * 37) % 1800),
    noise: 0.05,
    powerFactor: 0.9 + ((i % 9) / 100),
    ...(i % 7 === 3 ? { pvKw: 600 } : {}),
  };
  return { id: `${prefix}${String(i).padStart(5, '0')}`, load, ctRatio: ct, ptRatio: pt, initial: initialRegisters(i) };
}

/** Deterministic non-zero starting registers, far from the 1e8 capacity (no wrap in a month). */
function initialRegisters(i: number): number[] {
  const out = new Array<number>(REGISTER_COUNT).fill(0);
  for (let d = 0; d < 4; d++) {
    const tiers = [1, 2, 3, 4].map((t) => 10_000 + ((i * 7919 + d * 104_729 + t * 1_299_709) % 5_000_000));
    tiers.forEach((v, t) => (out[d * 5 + 1 + t] = v));
    out[d * 5] = tiers.reduce((a, b) => a + b, 0);
  }
  return out;
}

/** Write the archive and the ground truth of `points` simulated meters over `days` days. */
export async function writeGroundTruth(handle: Database, o: DatabaseFixtureOptions): Promise<DatabaseFixture> {
  const started = performance.now();
  const zone = o.zone ?? 'UTC';
  const prefix = o.prefix ?? 'B';
  const specs = Array.from({ length: o.points }, (_, i) => fixturePoint(prefix, i));
  await handle.db.insertInto('substation').values({ id: `${prefix}-SIM`, name: 'simulated substation', time_zone: zone })
    .onConflict((c) => c.doNothing()).execute();
  for (let i = 0; i < specs.length; i += 1000) {
    await handle.db.insertInto('metering_point').values(specs.slice(i, i + 1000).map((s) => ({
      id: s.id, substation_id: `${prefix}-SIM`, name: `simulated ${s.id}`, time_zone: zone,
      ct_ratio: String(s.ctRatio ?? 1), pt_ratio: String(s.ptRatio ?? 1), interval_seconds: 900,
    }))).onConflict((c) => c.doNothing()).execute();
  }

  const batch = o.batch ?? 20_000;
  const from = Math.floor(o.from / 1000);
  const to = o.to !== undefined ? Math.floor(o.to / 1000) : from + o.days * 86_400;
  const total = o.points * (Math.floor((to - from) / 900) + 1);
  const held: ReadingRow[] = [];
  let rows: ReadingRow[] = [];
  let written = 0, seen = 0, lastLog = performance.now();
  const flush = async () => {
    if (rows.length === 0) return;
    const r = await writeReadings(handle, rows, { markDirty: o.markDirty ?? false });
    written += r.written;
    rows = [];
  };
  for (const s of groundTruth(specs, from, to, o.seed ?? 1, { zone, intervalSeconds: 900 })) {
    seen++;
    const row: ReadingRow = { pointId: s.point, ts: new Date(s.time * 1000), source: 'import', values: Array.from(s.registers) };
    if (o.hold?.(s.index, s.time)) held.push({ ...row, source: 'backfill' });
    else rows.push(row);
    if (rows.length >= batch) await flush();
    if (o.log && performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      o.log(`fixture: ${seen}/${total} snapshots (${Math.round((100 * seen) / total)} %), ${Math.round(seen / ((lastLog - started) / 1000))}/s`);
    }
  }
  await flush();
  const ms = performance.now() - started;
  o.log?.(`fixture: ${written} snapshots written, ${held.length} held back, ${(ms / 1000).toFixed(1)} s`);
  return { pointIds: specs.map((s) => s.id), written, held, ms };
}
