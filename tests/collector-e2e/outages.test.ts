/**
 * End to end, in process: simulated terminals on Modbus TCP, Modbus RTU (socat pty) and MQTT
 * (in-process aedes broker), an accelerated two-day scenario with link outages (20 minutes to a
 * day), a terminal power loss, corrupted frames (RTU CRC), timeouts and, apart from them so a
 * breaker opened by timeouts cannot hide them, exceptions (TCP),
 * malformed MQTT payloads and a database outage mid-run. (TCP frames are not garbled here: the
 * simulator's garble may leave the byte count intact, and without a CRC no receiver can tell.) At the end every
 * interval record of the ground truth is stored exactly once with its true values, except those
 * the terminal no longer held — and exactly those are reported in acquisition_log.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { acceleratedClock, runCollectorService } from '../../collector/index.ts';
import { ensureBroker } from '../../cli/broker.ts';
import { hasCommand } from '../../simulators/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { reportedUnavailable, setDatabaseReachable, startRig, storeRigArchive, storedReadings, waitFor } from '../support/collector-rig.ts';

const SPEED = 10_800; // three simulated hours per wall second
const HOUR = 3_600_000;
const rtu = hasCommand('socat');
if (!rtu) console.warn('note: socat is missing; the Modbus RTU terminal is left out of the end-to-end scenario');

const scenario = (tag: string): string => `
name: collector-e2e
seed: 11
start: 2024-03-01T00:00:00Z
duration: 2d
stepSeconds: 300
terminals:
  - id: tcp-${tag}
    interval: 15m
    transports: { modbusTcp: { port: 0 } }
    meters:
      - { unit: 1, name: feeder-1, load: { kind: profile, shape: industrial, peakKw: 900 }, initial: 1200.5 }
      - { unit: 2, name: feeder-2, load: { kind: profile, shape: commercial, peakKw: 300 } }
      - { unit: 3, name: feeder-3, load: { kind: profile, shape: residential, peakKw: 120, pvKw: 200 } }
${rtu ? `  - id: rtu-${tag}
    interval: 30m
    transports: { modbusRtu: { pty: true, baud: 115200, parity: none } }
    meters:
      - { unit: 1, name: lv-1, load: { kind: profile, shape: industrial, peakKw: 50 } }
      - { unit: 2, name: lv-2, load: { kind: profile, shape: flat, peakKw: 20 } }` : ''}
  - id: mqtt-${tag}
    interval: 15m
    profileDepth: 12h
    transports: { mqtt: {} }
    meters:
      - { unit: 1, name: pv-1, load: { kind: profile, shape: flat, peakKw: 10, pvKw: 80 } }
      - { unit: 2, name: pv-2, load: { kind: profile, shape: commercial, peakKw: 40 } }
faults:
  - { kind: link-down, terminal: tcp-${tag}, at: "+3h", duration: 20m }
  - { kind: timeout, terminal: tcp-${tag}, probability: 0.1, at: "+10h", duration: 6h }
  - { kind: exception, terminal: tcp-${tag}, code: 6, probability: 0.5, at: "+16h", duration: 3h }
  - { kind: link-down, terminal: tcp-${tag}, at: "+20h", duration: 6h }
${rtu ? `  - { kind: corrupt, terminal: rtu-${tag}, mode: crc, probability: 0.25, at: "+6h", duration: 3h }
  - { kind: power-loss, terminal: rtu-${tag}, at: "+30h", duration: 2h }
  - { kind: link-down, terminal: rtu-${tag}, at: "+30h", duration: 2h }` : ''}
  - { kind: link-down, terminal: mqtt-${tag}, at: "+8h", duration: 1d }
  - { kind: power-loss, terminal: mqtt-${tag}, unit: 1, at: "+40h", duration: 1h }
  - { kind: mqtt-malformed, terminal: mqtt-${tag}, probability: 0.3, at: "+42h", duration: 4h }
`;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.each(dbTargets())('collector end to end on $name PostgreSQL', (target) => {
  it('stores every interval record the terminals hold exactly once and reports the ones they lost', async () => {
    const tag = randomUUID().slice(0, 6);
    const broker = await ensureBroker(''); // in-process aedes
    const h = await freshDatabase(target);
    const dir = await mkdtemp(join(tmpdir(), 'meterflow-e2e-'));
    dirs.push(dir);
    const rig = await startRig(scenario(tag), { speed: SPEED, mqttUrl: broker.url });
    try {
      await storeRigArchive(h, rig, { [`mqtt-${tag}`]: 30 });
      const ep = (id: string) => rig.endpoints.find((e) => e.terminal === id)!;
      const site = `site: e2e-${tag}
intervalSeconds: 900
offsetSeconds: 30
timeoutMs: 2000
retries: 2
breaker: { failureThreshold: 2, cooldownMs: 300, maxCooldownMs: 1000 }
spool: { path: ${join(dir, 'collector.spool')} }
mqtt: { url: ${broker.url} }
backfill: { sweepSeconds: 1, lookbackDays: 30 }
terminals:
  - id: tcp-${tag}
    profile: sim-terminal-v1
    pollFrom: load-profile
    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${ep(`tcp-${tag}`).modbusTcp!.port}, timeoutMs: 300, connectTimeoutMs: 300 }
    meters: [{ unitId: 1, point: feeder-1 }, { unitId: 2, point: feeder-2 }, { unitId: 3, point: feeder-3 }]
${rtu ? `  - id: rtu-${tag}
    profile: sim-terminal-v1
    pollFrom: load-profile
    intervalSeconds: 1800
    transport: { kind: modbus-rtu, path: ${ep(`rtu-${tag}`).modbusRtu!.path}, baudRate: 115200, parity: none, timeoutMs: 300 }
    meters: [{ unitId: 1, point: lv-1 }, { unitId: 2, point: lv-2 }]` : ''}
  - id: mqtt-${tag}
    profile: sim-terminal-v1
    transport: { kind: mqtt, historyTimeoutMs: 2000 }
    meters: [{ unitId: 1, point: pv-1 }, { unitId: 2, point: pv-2 }]
`;
      const configPath = join(dir, 'site.yaml');
      await writeFile(configPath, site);
      const service = await runCollectorService({ handle: h, configPath, signals: false, clock: acceleratedClock(rig.sim.start * 1000, SPEED, rig.epoch) });
      try {
        // The database goes away for six simulated hours, then comes back. (A loaded machine
        // brings it back a few simulated hours late; the malformed pushes, whose rejections the
        // acquisition log must show, come well after, at +42 h.)
        await waitFor(() => rig.now() >= rig.sim.start + 24 * 3600, 60_000, 'simulated day 1');
        await setDatabaseReachable(target.adminUrl, h.url, false);
        await waitFor(() => service.daemon.collector.healthSnapshot().writer.spooled > 0, 20_000, 'rows spooled while the database is away');
        await waitFor(() => rig.now() >= rig.sim.start + 30 * 3600, 60_000, 'simulated hour 30');
        await setDatabaseReachable(target.adminUrl, h.url, true);
        await rig.ended;
        // The last records: one more poll cycle, then sweeps until nothing more can be fetched.
        await new Promise((r) => setTimeout(r, (3600 * 1000) / SPEED));
        await service.daemon.collector.drained();
        await service.backfill.sweep();
        await service.backfill.sweep();
        await service.daemon.collector.drained();
      } finally {
        await service.stop();
      }
      const writer = service.daemon.collector.healthSnapshot().writer;
      expect(writer.spooled).toBeGreaterThan(0);
      expect(writer.replayed).toBe(writer.spooled);

      const stored = await storedReadings(h);
      const lost = await reportedUnavailable(h);
      const end = rig.sim.end * 1000;
      for (const [point, records] of rig.truth) {
        const got = stored.get(point) ?? new Map();
        const gone = lost.get(point) ?? new Set<number>();
        for (const [ts, values] of records) {
          if (ts > end) continue;
          if (gone.has(ts)) expect(got.has(ts), `${point} ${new Date(ts).toISOString()} reported lost but stored`).toBe(false);
          else expect(got.get(ts)?.values, `${point} at ${new Date(ts).toISOString()}`).toEqual(values);
        }
        for (const ts of got.keys()) expect(records.has(ts), `${point}: stored ${new Date(ts).toISOString()} is not in the ground truth`).toBe(true);
        for (const ts of gone) expect(records.has(ts), `${point}: reported ${new Date(ts).toISOString()} is not an interval`).toBe(true);
      }
      // Only the MQTT terminal (12 h of memory, a day offline) lost records, all inside its outage.
      const outage = [rig.sim.start * 1000 + 8 * HOUR, rig.sim.start * 1000 + 32 * HOUR];
      expect([...lost.keys()].sort()).toEqual(['pv-1', 'pv-2']);
      for (const [point, times] of lost) for (const ts of times) expect(ts >= outage[0]! && ts < outage[1]!, `${point} ${new Date(ts).toISOString()} reported lost`).toBe(true);
      expect(lost.get('pv-1')!.size).toBeGreaterThanOrEqual(40);

      // Nothing was overwritten: no stored value has a revision.
      const revised = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reading_revision`.execute(h.db);
      expect(revised.rows[0]!.n).toBe(0);
      const sources = await sql<{ source: string; n: number }>`SELECT source, count(*)::int AS n FROM reading GROUP BY source`.execute(h.db);
      expect(sources.rows.map((r) => r.source).sort()).toEqual(['backfill', 'poll', 'push']);
      const results = await sql<{ result: string }>`SELECT DISTINCT result FROM acquisition_log`.execute(h.db);
      const kinds = results.rows.map((r) => r.result);
      expect(kinds).toContain('ok');
      if (rtu) expect(kinds).toContain('bad-frame');
      expect(kinds).toContain('exception');
      expect(kinds).toContain('rejected');
      expect(kinds).toContain('error');
      // Power came back: the MQTT terminal says so, a Modbus meter's loss-of-voltage record shows it.
      const events = await sql<{ terminal_id: string; d: string }>`SELECT terminal_id, detail->>'detail' AS d FROM acquisition_log WHERE what = 'event'`.execute(h.db);
      expect(events.rows.some((e) => e.terminal_id === `mqtt-${tag}` && e.d.startsWith('power-up at'))).toBe(true);
      if (rtu) expect(events.rows.some((e) => e.terminal_id === `rtu-${tag}` && e.d.startsWith('power restored at 2024-03-02T08:00'))).toBe(true);
      // … and both land in their own tables (DESIGN.md §4: events and loss-of-voltage records are collected).
      const stored_events = await sql<{ kind: string }>`SELECT DISTINCT kind FROM terminal_event WHERE terminal_id = ${`mqtt-${tag}`}`.execute(h.db);
      expect(stored_events.rows.map((e) => e.kind)).toContain('power-up');
      if (rtu) {
        const losses = await sql<{ point_id: string; ended_at: Date | null; loss_count: number }>`SELECT point_id, ended_at, loss_count FROM voltage_loss WHERE point_id LIKE 'lv-%'`.execute(h.db);
        expect(losses.rows.some((l) => l.ended_at?.toISOString() === '2024-03-02T08:00:00.000Z' && l.loss_count >= 1)).toBe(true);
      }
      // Instantaneous values come with the pushes, in the register map's units (0.01 V).
      const instants = await sql<{ n: number; ua: string }>`SELECT count(*)::int AS n, max(ua)::text AS ua FROM instant_value WHERE point_id = 'pv-1' AND source = 'push'`.execute(h.db);
      expect(instants.rows[0]!.n).toBeGreaterThan(0);
      expect(Number(instants.rows[0]!.ua)).toBeGreaterThan(10_000); // a phase above 100 V
    } finally {
      await rig.stop();
      await h.close();
      await broker.close();
    }
  });
});
