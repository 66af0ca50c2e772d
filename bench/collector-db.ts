/**
 * Collector benchmarks into the database (issue 4): MQTT snapshots per second into the
 * database, and the time to backfill a 24 h outage of 100 terminals × 8 meters over Modbus TCP.
 * Each runs in a fresh database on the embedded PostgreSQL (or DATABASE_URL's server).
 *
 *   node --import tsx bench/collector-db.ts mqtt [terminals=200] [meters=8] [intervals=24]
 *   node --import tsx bench/collector-db.ts backfill [terminals=100] [meters=8] [hours=24]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { sql } from 'kysely';
import { AutoBackfill, Collector, DatabaseGaps, DatabaseSink, acceleratedClock, parseSiteConfig } from '../collector/index.ts';
import { ensureBroker } from '../cli/broker.ts';
import { createDatabase, ensureEmbedded, openDatabase, REGISTER_CODES, writeReadings, type Database } from '../schema/index.ts';
import { buildSimulation, parseScenario, serveTerminals } from '../simulators/index.ts';
import { benchScenario, machine } from './collector.ts';

async function freshDatabase(): Promise<Database> {
  const admin = process.env.DATABASE_URL ?? (await ensureEmbedded()).url;
  return openDatabase({ url: (await createDatabase(admin, `mf_bench_collector_${Date.now()}`)).url });
}

async function archive(h: Database, terminals: number, meters: number, installedAt: Date): Promise<void> {
  await sql`INSERT INTO substation (id, name) VALUES ('bench', 'bench')`.execute(h.db);
  for (let t = 0; t < terminals; t++) {
    await sql`INSERT INTO terminal (id, substation_id, name, transport, address) VALUES (${`t${t}`}, 'bench', ${`t${t}`}, 'modbus-tcp', 'sim')`.execute(h.db);
    for (let m = 1; m <= meters; m++) {
      const p = `t${t}-m${m}`;
      await sql`INSERT INTO meter (id, serial, terminal_id, unit_id) VALUES (${p}, ${p}, ${`t${t}`}, ${m})`.execute(h.db);
      await sql`INSERT INTO metering_point (id, substation_id, name, time_zone) VALUES (${p}, 'bench', ${p}, 'UTC')`.execute(h.db);
      await sql`INSERT INTO installation (point_id, meter_id, installed_at, initial_readings) VALUES (${p}, ${p}, ${installedAt}, ARRAY[0]::bigint[])`.execute(h.db);
    }
  }
}

async function mqttBench(terminals: number, meters: number, intervals: number): Promise<void> {
  const broker = await ensureBroker(process.env.MQTT_URL ?? '');
  const h = await freshDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'meterflow-bench-'));
  const ids = Array.from({ length: terminals }, (_, t) => `b${t}`);
  const site = parseSiteConfig(`site: bench-mqtt
spool: { path: ${join(dir, 'm.spool')} }
mqtt: { url: ${broker.url} }
terminals:
${ids.map((id) => `  - id: ${id}\n    profile: sim-terminal-v1\n    transport: { kind: mqtt }\n    meters: [${Array.from({ length: meters }, (_, m) => `{ unitId: ${m + 1}, point: ${id}-p${m + 1} }`).join(', ')}]`).join('\n')}
`);
  const sink = new DatabaseSink(h);
  const c = await Collector.start(site, { sink, schedule: false });
  const pub = await mqtt.connectAsync(broker.url);
  const start = Date.UTC(2024, 2, 1) / 1000;
  const expected = terminals * meters * intervals;
  try {
    const t0 = performance.now();
    for (let i = 0; i < intervals; i++) {
      const time = start + i * 900;
      await Promise.all(
        ids.map((id, t) =>
          pub.publishAsync(
            `meterflow/v1/${id}/readings`,
            JSON.stringify({
              schema: 'meterflow.readings.v1', terminal: id, seq: i, time,
              meters: Array.from({ length: meters }, (_, m) => ({ unit: m + 1, registers: Object.fromEntries(REGISTER_CODES.map((code, k) => [code, 100_000 + t * 1000 + m * 100 + i * 10 + k])) })),
            }),
            { qos: 1 },
          ),
        ),
      );
    }
    await c.drained();
    while (Number((await h.pool.query('SELECT count(*) AS n FROM reading')).rows[0].n) < expected) {
      await new Promise((r) => setTimeout(r, 50));
      await c.drained();
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`mqtt → database, broker ${broker.embedded ? 'aedes in process' : broker.url}, ${terminals} terminals × ${meters} meters × ${intervals} intervals`);
    console.log(`  ${terminals * intervals} snapshots (${expected} meter rows) in ${s.toFixed(2)} s: ${Math.round((terminals * intervals) / s)} snapshots/s, ${Math.round(expected / s)} meter rows/s; sink batches ${sink.stats.batches}`);
  } finally {
    await pub.endAsync();
    await c.stop();
    await h.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function backfillBench(terminals: number, meters: number, hours: number): Promise<void> {
  const sim = buildSimulation(parseScenario(benchScenario(terminals, meters, '{ modbusTcp: { port: 0 } }'), 'bench.yaml'));
  const start = sim.start;
  const outageFrom = start + 3600;
  const now = outageFrom + hours * 3600;
  for (const t of sim.terminals) t.advanceTo(now);
  const served = await serveTerminals(sim.terminals, sim.transports);
  const h = await freshDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'meterflow-bench-'));
  try {
    await archive(h, terminals, meters, new Date(start * 1000));
    // Stored before the outage: the first hour of every point.
    const before = sim.terminals.flatMap((t) =>
      t.units().flatMap((s) => s.meter.profile.range(start, outageFrom).map((r) => ({ pointId: `${t.id}-m${s.unit}`, ts: new Date(r.time * 1000), source: 'poll' as const, values: [...r.registers] }))),
    );
    await writeReadings(h, before);
    const site = parseSiteConfig(`site: bench-backfill
spool: { path: ${join(dir, 'b.spool')} }
backfill: { sweepSeconds: 0, chunk: 32 }
terminals:
${served.endpoints.map((e) => `  - id: ${e.terminal}\n    profile: sim-terminal-v1\n    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${e.modbusTcp!.port}, timeoutMs: 10000 }\n    meters: [${Array.from({ length: meters }, (_, m) => `{ unitId: ${m + 1}, point: ${e.terminal}-m${m + 1} }`).join(', ')}]`).join('\n')}
`);
    const c = await Collector.start(site, { sink: new DatabaseSink(h), schedule: false, clock: acceleratedClock(now * 1000, 1e-9) });
    const auto = new AutoBackfill({ gaps: new DatabaseGaps(h), collector: () => c, onError: (t, e) => console.error(`${t}: ${(e as Error).message}`) });
    const t0 = performance.now();
    await auto.sweep();
    await c.drained();
    const s = (performance.now() - t0) / 1000;
    const missing = await new DatabaseGaps(h).missing(site.terminals.flatMap((t) => t.meters.map((m) => m.point)), new Date(start * 1000), new Date(now * 1000));
    console.log(`backfill of a ${hours} h outage, ${terminals} terminals × ${meters} meters over Modbus TCP (load-profile records, 2 requests each)`);
    console.log(`  ${auto.stats.written} records in ${s.toFixed(2)} s: ${Math.round(auto.stats.written / s)} records/s; ${missing.length} gaps left, ${auto.stats.unavailable} unavailable, ${auto.stats.failures} failed runs`);
    await c.stop();
  } finally {
    await served.stop();
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const [what = 'mqtt', a, b, d] = process.argv.slice(2);
console.log(`machine: ${machine()}`);
if (what === 'mqtt') await mqttBench(Number(a ?? 200), Number(b ?? 8), Number(d ?? 24));
else if (what === 'backfill') await backfillBench(Number(a ?? 100), Number(b ?? 8), Number(d ?? 24));
else throw new Error(`unknown benchmark ${what}: mqtt or backfill`);
process.exit(0);
