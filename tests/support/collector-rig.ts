/**
 * A test rig for the collector end to end: simulated terminals served on their transports with
 * a clock shared with the collector (accelerated, anchored to the wall clock so a collector in
 * another process agrees), the ground truth of every interval record, the archive rows the
 * database needs, and a site.yaml for the served endpoints.
 */
import { sql } from 'kysely';
import { buildSimulation, parseScenario, serveTerminals, type Endpoint, type Simulation } from '../../simulators/index.ts';
import type { Database } from '../../schema/index.ts';

/** A running rig. */
export interface CollectorRig {
  sim: Simulation;
  endpoints: Endpoint[];
  /** Wall epoch ms at which simulated time was `sim.start`. */
  epoch: number;
  speed: number;
  /** Ground truth: point → interval end (epoch ms) → the 20 registers. */
  truth: Map<string, Map<number, number[]>>;
  /** Point → terminal id and interval seconds. */
  points: Map<string, { terminal: string; unit: number; intervalSeconds: number }>;
  /** Simulated now, seconds (frozen at the end). */
  now(): number;
  /** Resolves when simulated time reached the end. */
  ended: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Build the scenario, serve it and run it `speed` times real time from wall time `startAt`
 * (default now; a later start lets a collector process start first).
 */
export async function startRig(scenario: string, opts: { speed: number; mqttUrl?: string; startAt?: number }): Promise<CollectorRig> {
  const sim = buildSimulation(parseScenario(scenario, 'rig.yaml'));
  const truth = new Map<string, Map<number, number[]>>();
  const points = new Map<string, { terminal: string; unit: number; intervalSeconds: number }>();
  for (const t of sim.terminals) {
    for (const s of t.units()) {
      truth.set(s.name, new Map());
      points.set(s.name, { terminal: t.id, unit: s.unit, intervalSeconds: t.intervalSeconds });
    }
    t.on((e) => {
      if (e.type === 'interval') truth.get(e.name)!.set(e.time * 1000, e.reading.registers);
    });
    if (t.time % t.intervalSeconds === 0) t.emitIntervals();
  }
  const served = await serveTerminals(sim.terminals, sim.transports, opts.mqttUrl ? { mqttUrl: opts.mqttUrl } : {});
  const epoch = opts.startAt ?? Date.now();
  const now = (): number => Math.min(sim.end, sim.start + (Math.max(0, Date.now() - epoch) / 1000) * opts.speed);
  for (const t of sim.terminals) t.clock = { now };
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((r) => (finish = r));
  const timer = setInterval(() => {
    for (const t of sim.terminals) t.sync();
    if (now() >= sim.end) finish();
  }, 10);
  return {
    sim,
    endpoints: served.endpoints,
    epoch,
    speed: opts.speed,
    truth,
    points,
    now,
    ended,
    stop: async () => {
      clearInterval(timer);
      await served.stop();
    },
  };
}

/** Store the archive rows backfill needs: substation, terminals (memory days), meters, points, installations at the start. */
export async function storeRigArchive(h: Database, rig: CollectorRig, memoryDays: Record<string, number> = {}): Promise<void> {
  const start = new Date(rig.sim.start * 1000);
  await sql`INSERT INTO substation (id, name) VALUES ('rig', 'rig')`.execute(h.db);
  for (const t of rig.sim.terminals) {
    await sql`INSERT INTO terminal (id, substation_id, name, transport, address, memory_days) VALUES (${t.id}, 'rig', ${t.id}, 'modbus-tcp', 'sim', ${memoryDays[t.id] ?? 30})`.execute(h.db);
    for (const s of t.units()) {
      await sql`INSERT INTO meter (id, serial, terminal_id, unit_id) VALUES (${`m-${s.name}`}, ${s.meter.serial}, ${t.id}, ${s.unit})`.execute(h.db);
      await sql`INSERT INTO metering_point (id, substation_id, name, time_zone, interval_seconds) VALUES (${s.name}, 'rig', ${s.name}, 'UTC', ${t.intervalSeconds})`.execute(h.db);
      await sql`INSERT INTO installation (point_id, meter_id, installed_at, initial_readings) VALUES (${s.name}, ${`m-${s.name}`}, ${start}, ${sql.raw(`ARRAY[${s.meter.reading().registers.join(',')}]::bigint[]`)})`.execute(h.db);
    }
  }
}

/** Stored readings per point: interval end (epoch ms) → registers and source. */
export async function storedReadings(h: Database): Promise<Map<string, Map<number, { values: number[]; source: string }>>> {
  const r = await sql<Record<string, unknown>>`SELECT * FROM reading ORDER BY point_id, ts`.execute(h.db);
  const cols = Object.keys(r.rows[0] ?? {}).filter((c) => /^(ap|rp)_(imp|exp)_/.test(c));
  const order = ['ap_imp', 'ap_exp', 'rp_imp', 'rp_exp'].flatMap((d) => ['total', 'sharp', 'peak', 'flat', 'valley'].map((t) => `${d}_${t}`));
  if (cols.length > 0 && cols.length !== 20) throw new Error(`reading has ${cols.length} register columns`);
  const out = new Map<string, Map<number, { values: number[]; source: string }>>();
  for (const row of r.rows) {
    const p = row.point_id as string;
    if (!out.has(p)) out.set(p, new Map());
    out.get(p)!.set((row.ts as Date).getTime(), { values: order.map((c) => Number(row[c])), source: row.source as string });
  }
  return out;
}

/** Interval ends reported unavailable in acquisition_log, per point. */
export async function reportedUnavailable(h: Database): Promise<Map<string, Set<number>>> {
  const r = await sql<{ detail: { point: string; runs: [number, number][]; stepSeconds: number } }>`
    SELECT detail FROM acquisition_log WHERE what = 'backfill' AND detail->>'errorKind' = 'unavailable'`.execute(h.db);
  const out = new Map<string, Set<number>>();
  for (const { detail } of r.rows) {
    if (!out.has(detail.point)) out.set(detail.point, new Set());
    for (const [a, b] of detail.runs) for (let t = a; t <= b; t += detail.stepSeconds * 1000) out.get(detail.point)!.add(t);
  }
  return out;
}

/** Make a database refuse connections (and drop the open ones), or accept them again. */
export async function setDatabaseReachable(adminUrl: string, dbUrl: string, reachable: boolean): Promise<void> {
  const pg = (await import('pg')).default;
  const name = new URL(dbUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${reachable}`);
    if (!reachable) await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  } finally {
    await c.end();
  }
}

/** Poll `cond` every 50 ms until it holds or `ms` pass (then throw `what`). */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
