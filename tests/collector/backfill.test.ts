import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoBackfill, Collector, acceleratedClock, parseSiteConfig, type AcquisitionLogEntry, type GapSource, type IntervalGap, type ReadingRow } from '../../collector/index.ts';
import { buildSimulation, parseScenario, serveTerminals } from '../../simulators/index.ts';

const START = Date.UTC(2024, 2, 1) / 1000;
const STEP = 900_000;

/** Missing records computed from what the sink holds, like the database would. */
class MemoryGaps implements GapSource {
  constructor(readonly rows: ReadingRow[], readonly first: Date) {}
  async missing(points: readonly string[], from: Date, to: Date): Promise<IntervalGap[]> {
    const out: IntervalGap[] = [];
    for (const p of points) {
      const have = new Set(this.rows.filter((r) => r.pointId === p).map((r) => r.ts.getTime()));
      for (let t = Math.ceil(from.getTime() / STEP) * STEP; t <= to.getTime(); t += STEP) {
        if (have.has(t)) continue;
        const last = out.at(-1);
        if (last && last.pointId === p && last.last.getTime() === t - STEP) Object.assign(last, { last: new Date(t), count: last.count + 1 });
        else out.push({ pointId: p, first: new Date(t), last: new Date(t), count: 1 });
      }
    }
    return out;
  }
  async firstKnown(points: readonly string[]): Promise<Map<string, Date>> {
    return new Map(points.map((p) => [p, this.first]));
  }
  async memoryDays(): Promise<number | undefined> {
    return undefined;
  }
  async reportedUnavailable(): Promise<Map<string, Set<number>>> {
    return new Map();
  }
}

describe('automatic backfill', () => {
  it('reads what the load profile holds, reports what it lost, and asks nothing twice', async () => {
    const sim = buildSimulation(parseScenario(`
name: backfill-unit
start: 2024-03-01T00:00:00Z
duration: 1d
terminals:
  - id: gw
    profileDepth: 2h
    transports: { modbusTcp: { port: 0 } }
    meters: [{ unit: 1, name: a, load: { kind: profile, shape: flat, peakKw: 10 } }]
`, 'unit.yaml'));
    const now = START + 6 * 3600;
    sim.terminals[0]!.advanceTo(now);
    const served = await serveTerminals(sim.terminals, sim.transports);
    const dir = await mkdtemp(join(tmpdir(), 'meterflow-backfill-'));
    const rows: ReadingRow[] = [];
    const log: AcquisitionLogEntry[] = [];
    const site = parseSiteConfig(`site: unit
spool: { path: ${join(dir, 'u.spool')} }
terminals:
  - id: gw
    profile: sim-terminal-v1
    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${served.endpoints[0]!.modbusTcp!.port} }
    meters: [{ unitId: 1, point: a }]
`);
    const c = await Collector.start(site, { sink: { write: async (r) => void rows.push(...r) }, schedule: false, onLog: (e) => log.push(e), clock: acceleratedClock(now * 1000, 1e-9) });
    try {
      const auto = new AutoBackfill({ gaps: new MemoryGaps(rows, new Date(START * 1000)), collector: () => c });
      await auto.sweep();
      // 6 h + the start instant = 25 records; the 2 h memory holds the last 8.
      expect(rows.map((r) => r.ts.getTime() / 1000)).toEqual(Array.from({ length: 8 }, (_, i) => now - 7 * 900 + i * 900));
      expect(rows.every((r) => r.source === 'backfill')).toBe(true);
      expect(rows.at(-1)!.values).toEqual(sim.terminals[0]!.slot(1)!.meter.profile.find(now)!.registers);
      const report = log.find((e) => e.errorKind === 'unavailable')!;
      expect(report).toMatchObject({ terminal: 'gw', point: 'a', ok: false, data: { runs: [[START * 1000, (now - 8 * 900) * 1000]], stepSeconds: 900 } });
      expect(report.error).toMatch(/terminal gw point a: 17 interval records .* are no longer in the terminal's memory/);
      expect(auto.stats).toMatchObject({ written: 8, unavailable: 17, failures: 0 });
      await auto.sweep(); // nothing left to ask, nothing reported twice
      expect(auto.stats).toMatchObject({ requested: 8, unavailable: 17 });
      expect(log.filter((e) => e.errorKind === 'unavailable')).toHaveLength(1);
      // With routine polls reading the live registers, the current interval's end is the poll's:
      // backfill leaves it, or the two would race and the second be refused as a conflict.
      const polled = await Collector.start(site, { sink: { write: async () => undefined }, onLog: () => undefined, clock: acceleratedClock(now * 1000, 1e-9) });
      try {
        expect([c.pollsLiveRegisters('gw'), polled.pollsLiveRegisters('gw')]).toEqual([false, true]);
        const mine: ReadingRow[] = [];
        const live = new AutoBackfill({ gaps: new MemoryGaps(mine, new Date(START * 1000)), collector: () => polled });
        await live.sweep();
        // The 2 h memory holds 8 records; the newest is left to the poll.
        expect(live.stats.requested).toBe(7);
      } finally {
        await polled.stop();
      }
    } finally {
      await c.stop();
      await served.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
