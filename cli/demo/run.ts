/**
 * `meterflow demo`: a simulated substation from meters to statements on embedded defaults.
 * Weeks of history come from the previous system (import); the live window crosses the month
 * boundary with terminals on Modbus TCP, a serial pty and MQTT, an outage the collector
 * backfills and a meter swap; the engine computes energies, losses and alarms; October is
 * settled and exported; every figure of the report is read back from the database and the
 * collected readings are checked against the simulators' ground truth.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { drainTasks, exportRows, toCsv, EXPORT_COLUMNS } from '../../calc-engine/store/index.ts';
import { exportRun, settleMonth } from '../../calc-engine/settlement/index.ts';
import { acceleratedClock, runCollectorService } from '../../collector/index.ts';
import { createDatabase, ensureEmbedded, importArchiveFile, openDatabase, writeReadings, type Database } from '../../schema/index.ts';
import { buildSimulation, hasCommand, loadRecording, loadScenario, startSimulation, type Simulation, type TerminalEvent } from '../../simulators/index.ts';
import { ensureBroker } from '../broker.ts';
import { demoReport, formatReport, type DemoReport } from './report.ts';
import { demoSiteYaml, historyRows, swapArchiveYaml } from './site.ts';
import { checkGroundTruth } from './verify.ts';
import { onStopSignal } from '../stop-signal.ts';

/** How to run the demo. */
export interface DemoOptions {
  /** Data directory of the embedded database. */
  dataDir: string;
  /** Where exports, the ground truth and the report go. */
  outDir: string;
  /** Simulated seconds per wall second in the live window. */
  speed: number;
  /** Keep simulators, collector and engine running after the report until interrupted. */
  serve?: boolean;
  /** Progress lines. */
  say: (line: string) => void;
}

const SCENARIO = 'examples/demo/scenario.yaml';
const ARCHIVE = 'examples/demo/archive.yaml';
const LIVE_FROM = Date.parse('2026-10-31T18:00:00+01:00') / 1000;
const MONTH = '2026-10';
const DAY = '2026-10-31';

/** A fresh database `meterflow_demo` on the server of DATABASE_URL or the embedded one. */
async function demoDatabase(dataDir: string): Promise<Database> {
  const admin = process.env.DATABASE_URL || (await ensureEmbedded(dataDir)).url;
  return openDatabase({ url: (await createDatabase(admin, 'meterflow_demo', { replace: true })).url });
}

/** Without socat there is no pty: the serial terminal is left out, with a note. */
function withoutSerialIfNeeded(sim: Simulation, say: (l: string) => void): void {
  if (hasCommand('socat')) return;
  say('note: socat is not installed, so the serial (RS-485) terminal rtu-bus is skipped; apt-get install socat to include it');
  sim.transports.delete('rtu-bus');
}

/** Run the demo; resolves to the report. */
export async function runDemo(o: DemoOptions): Promise<DemoReport> {
  const out = resolve(o.outDir);
  mkdirSync(out, { recursive: true });
  const step = (n: number, text: string) => o.say(`[${n}/7] ${text}`);

  step(1, 'database: a fresh meterflow_demo database (embedded PostgreSQL unless DATABASE_URL is set)');
  // Everything started is stopped again however the demo ends, last started first.
  const started: (() => Promise<unknown>)[] = [];
  const h = await demoDatabase(o.dataDir);
  started.push(() => h.close());
  const broker = await ensureBroker();
  started.push(() => broker.close());
  try {
    step(2, `archive: ${ARCHIVE}`);
    await importArchiveFile(h, ARCHIVE, 'demo');

    step(3, `simulators: ${SCENARIO}, history computed up to ${new Date(LIVE_FROM * 1000).toISOString()}, then live at ${o.speed}× on Modbus TCP, RS-485 (pty) and MQTT (${broker.embedded ? 'embedded broker' : broker.url})`);
    const sim = buildSimulation(await loadScenario(SCENARIO));
    withoutSerialIfNeeded(sim, o.say);
    const truthFile = join(out, 'ground-truth.jsonl');
    const swaps: Extract<TerminalEvent, { type: 'replacement' }>[] = [];
    for (const t of sim.terminals) t.on((e) => void (e.type === 'replacement' && swaps.push(e)));
    let history = 0;
    const run = await startSimulation(sim, {
      // Held at the end, so the last interval can still be collected before everything stops.
      mode: 'live', liveFrom: LIVE_FROM, speed: o.speed, record: truthFile, mqttUrl: broker.url, hold: true,
      // The weeks before the live window, as the previous system held them, land before the clock runs.
      beforeLive: async () => {
        const rows = historyRows(sim, LIVE_FROM);
        for (let i = 0; i < rows.length; i += 10_000) await writeReadings(h, rows.slice(i, i + 10_000), { actor: 'demo', reason: 'history from the previous system' });
        history = rows.length;
      },
    });
    started.push(() => run.stop());
    o.say(`      ${history} interval records of October imported from the previous system`);

    step(4, 'collector: polling, pushes, automatic backfill; an engine worker recomputes as data lands; the swap goes into the archive');
    const siteFile = join(out, 'site.yaml');
    writeFileSync(siteFile, demoSiteYaml(run.endpoints, sim, join(out, 'collector.spool')));
    const simNow = Math.min(...sim.terminals.map((t) => t.time)) * 1000;
    const service = await runCollectorService({ handle: h, configPath: siteFile, signals: false, clock: acceleratedClock(simNow, o.speed) });
    started.push(() => service.stop());
    // An engine worker in a process of its own, as on a site: it recomputes as data lands, so
    // outages raise missing-data alarms that clear once the backfill fills them.
    // Its alarm changes go out on the demo's broker too (meterflow/alarms/#).
    const engine = spawn(process.execPath, [fileURLToPath(new URL('../bin.js', import.meta.url)), 'engine', 'run', '--poll-ms', '1000', '--mqtt', broker.url], {
      env: { ...process.env, DATABASE_URL: h.url }, stdio: 'ignore',
    });
    const engineStopped = new Promise((r) => engine.once('exit', r));
    const stopEngine = async () => {
      if (engine.exitCode === null) engine.kill('SIGTERM');
      await engineStopped;
    };
    started.push(stopEngine);
    let swapDone = false;
    let busy = false;
    const tick = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        if (!swapDone && swaps.length > 0) {
          swapDone = true;
          await recordSwap(h, swaps[0]!, out);
        }
      })().catch((e) => o.say(`      archive: ${(e as Error).message}`)).finally(() => (busy = false));
    }, 1000);
    const stopTimers = () => (clearInterval(progress), clearInterval(tick));
    started.push(async () => stopTimers());
    const progress = setInterval(() => {
      const now = Math.min(...sim.terminals.map((t) => t.time));
      o.say(`      simulated ${new Date(now * 1000).toISOString()}  (${Math.floor(((now - LIVE_FROM) / (sim.end - LIVE_FROM)) * 100)} %)`);
    }, 10_000);
    while (Math.min(...sim.terminals.map((t) => t.time)) < sim.end) await new Promise((r) => setTimeout(r, 200));
    stopTimers();
    while (busy) await new Promise((r) => setTimeout(r, 100));
    // The last interval's pushes and polls are still on their way; then sweep for anything missed.
    await new Promise((r) => setTimeout(r, 3000));
    o.say('      simulated time reached the end; final backfill sweep');
    await service.backfill.sweep();
    await service.daemon.collector.drained();
    if (!swapDone && swaps[0]) await recordSwap(h, swaps[0], out);
    if (!o.serve) {
      // Collection is over: stop serving, which also completes the ground-truth file.
      await service.stop();
      await run.stop();
    }

    await stopEngine();
    step(5, 'engine: intervals, days, months, losses and the plausibility checks');
    await drainTasks(h, { log: (l) => void (l.level === 'error' && o.say(`      engine: ${String(l.error)}`)) });

    step(6, `settlement of ${MONTH}`);
    await settleMonth(h, { month: MONTH, actor: 'demo', approveEstimates: true });
    const files = [
      ...(await exportRun(h, { month: MONTH, dir: out, format: 'csv' })),
      ...(await exportRun(h, { month: MONTH, dir: out, format: 'xlsx' })),
      ...(await exportRun(h, { month: MONTH, dir: out, format: 'html' })),
    ];
    for (const kind of ['daily', 'monthly', 'losses', 'alarms'] as const) {
      const file = join(out, `${kind}-${MONTH}.csv`);
      writeFileSync(file, toCsv(await exportRows(h, { kind, from: { local: '2026-10-01' }, to: { local: '2026-11-01' } }), EXPORT_COLUMNS[kind]));
      files.push(file);
    }

    step(7, 'report: every figure read back from the database, readings checked against the ground truth');
    if (o.serve) await new Promise((r) => setTimeout(r, 500)); // let the record writer flush
    const rec = await loadRecording(truthFile);
    const pointOf = (terminal: string, unit: number) => sim.terminals.find((t) => t.id === terminal)?.slot(unit)?.name;
    const served = new Set(run.endpoints.map((e) => e.terminal));
    const groundTruth = await checkGroundTruth(h, { ...rec, intervals: rec.intervals.filter((i) => served.has(i.terminal)) }, sim.start, sim.end, pointOf);
    const swap = swaps[0] ? { point: pointOf(swaps[0].terminal, swaps[0].unit)!, at: new Date(swaps[0].time * 1000).toISOString(), oldMeter: swaps[0].oldSerial, newMeter: swaps[0].newSerial } : null;
    const report = await demoReport(h, DAY, MONTH, { groundTruth, swap, files: [...new Set([truthFile, siteFile, ...files])] });
    writeFileSync(join(out, 'report.json'), JSON.stringify(report, null, 2));
    o.say(formatReport(report));
    if (o.serve) {
      o.say('serving: simulators, collector and database keep running; Ctrl-C to stop');
      await new Promise<void>((r) => onStopSignal(() => r()));
    }
    return report;
  } finally {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  }
}

/** What the field crew records after the swap: the old meter's final and the new one's initial readings. */
async function recordSwap(h: Database, e: Extract<TerminalEvent, { type: 'replacement' }>, out: string): Promise<void> {
  const old = await h.db.selectFrom('installation').innerJoin('meter', 'meter.id', 'installation.meter_id')
    .select(['installation.point_id', 'installation.meter_id', 'installation.installed_at'])
    .where('meter.serial', '=', e.oldSerial).where('installation.removed_at', 'is', null).executeTakeFirstOrThrow();
  const file = join(out, 'meter-swap.yaml');
  writeFileSync(file, swapArchiveYaml({
    point: old.point_id, terminal: e.terminal, unit: e.unit, at: new Date(e.time * 1000), oldMeter: old.meter_id, newMeter: `M-${e.newSerial}`,
    newSerial: e.newSerial, installedAt: old.installed_at, final: e.finalRegisters, initial: e.initialRegisters,
  }));
  await importArchiveFile(h, file, 'field-crew');
}
