/** `meterflow collector run` (the acquisition daemon) and `meterflow read` (values now, on demand). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Collector, ConfigError, acceleratedClock, loadSiteConfig, runCollectorService, type CollectorClock, type MeterResult } from '../../collector/index.ts';
import { REGISTER_CODES } from '../../schema/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { dataDirOption, openFromOptions } from './shared.ts';

const log = (line: Record<string, unknown>): void => console.log(JSON.stringify({ time: new Date().toISOString(), component: 'collector', ...line }));

function configOption(o: Record<string, string | boolean | undefined>): string {
  if (typeof o.config !== 'string') throw new UsageError('--config <site.yaml> is required');
  return o.config;
}

/** `--clock <start>[,<speed>[,<wall epoch ms>]]`: an accelerated clock shared with a simulator. */
function clockOption(v: unknown): CollectorClock | undefined {
  if (typeof v !== 'string') return undefined;
  const [start, speed = '1', epoch] = v.split(',');
  const t = DateTime.fromISO(start ?? '', { setZone: true });
  if (!t.isValid || !(Number(speed) > 0) || (epoch !== undefined && !Number.isFinite(Number(epoch))))
    throw new UsageError(`--clock '${v}': expected <ISO start>[,<speed>[,<wall epoch ms>]], e.g. 2024-03-01T00:00:00Z,3600`);
  return acceleratedClock(t.toMillis(), Number(speed), epoch !== undefined ? Number(epoch) : Date.now());
}

const runCmd: Command = {
  path: ['collector', 'run'],
  summary: 'Run the collector daemon of a site: poll, take pushes, backfill, write; JSON log lines on stdout.',
  options: {
    ...dataDirOption,
    config: { type: 'string', description: 'the site config (site.yaml)' },
    'health-port': { type: 'string', description: 'serve GET /health and /metrics on this port (0: any free port)' },
    clock: { type: 'string', description: 'test rigs: accelerated clock <ISO start>[,<speed>[,<wall epoch ms>]] shared with simulators' },
  },
  async run(_, o) {
    const configPath = configOption(o);
    const port = o['health-port'];
    if (port !== undefined && !/^\d+$/.test(String(port))) throw new UsageError(`--health-port '${String(port)}' is not a port number`);
    const clock = clockOption(o.clock);
    try {
      await loadSiteConfig(configPath);
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`meterflow collector run: ${configPath} does not validate, nothing started:\n${e.message}`);
        return EXIT.usage;
      }
      throw e;
    }
    const h = await openFromOptions(o);
    try {
      const service = await runCollectorService({
        handle: h,
        configPath,
        ...(port !== undefined ? { healthPort: Number(port) } : {}),
        ...(clock ? { clock } : {}),
        onLog: (e) => log({ level: e.ok ? 'info' : 'warn', ...e, at: e.at.toISOString(), durationMs: Math.round(e.durationMs) }),
        onNotice: (m) => log({ level: 'notice', msg: m }),
      });
      const terminals = service.daemon.collector.site.terminals.length;
      log({ level: 'info', msg: 'collector started', site: service.daemon.collector.site.site, terminals, ...(service.daemon.health ? { healthPort: service.daemon.health.port } : {}) });
      await service.closed;
      log({ level: 'info', msg: 'collector stopped', writer: service.daemon.collector.healthSnapshot().writer, sink: service.sink.stats, backfill: service.backfill.stats });
      return EXIT.ok;
    } finally {
      await h.close();
    }
  },
};

const kwh = (v: number | null): string => (v === null ? '-' : (v / 100).toFixed(2));

function printResult(r: MeterResult): void {
  console.log(`${r.terminal} unit ${r.unitId} → ${r.point}`);
  if (!r.reading) {
    console.log(`  failed: ${r.error}`);
    return;
  }
  REGISTER_CODES.forEach((code, i) => {
    const v = r.reading!.values[i] ?? null;
    if (v !== null) console.log(`  ${code.padEnd(16)} ${kwh(v).padStart(14)}`);
  });
  for (const [k, v] of Object.entries(r.reading.instant)) console.log(`  ${k.padEnd(16)} ${String(v).padStart(14)}`);
  if (r.reading.clock) console.log(`  ${'clock'.padEnd(16)} ${r.reading.clock.toISOString()}`);
  for (const p of r.reading.problems) console.log(`  problem: ${p}`);
}

const readCmd: Command = {
  path: ['read'],
  args: '<terminal|point>',
  summary: 'Read a terminal or a metering point now, without waiting for the schedule (nothing is written).',
  options: {
    config: { type: 'string', description: 'the site config (site.yaml)' },
    json: { type: 'boolean', description: 'print JSON instead of a table', default: false },
  },
  async run([target], o) {
    if (!target) throw new UsageError('name the terminal or metering point to read');
    const site = await loadSiteConfig(configOption(o));
    const terminal = site.terminals.find((t) => t.id === target || t.meters.some((m) => m.point === target));
    if (!terminal) throw new UsageError(`${target} is neither a terminal nor a point of site ${site.site} (${configOption(o)})`);
    if (terminal.transport.kind === 'mqtt') throw new UsageError(`terminal ${terminal.id} pushes over MQTT and cannot be read on demand; its last values are in the database`);
    // A spool of its own: a running daemon keeps its spool; this read writes nothing anyway.
    const dir = await mkdtemp(join(tmpdir(), 'meterflow-read-'));
    const collector = await Collector.start({ ...site, terminals: [terminal], spool: { ...site.spool, path: join(dir, 'read.spool') } }, { sink: { write: async () => undefined }, schedule: false });
    try {
      const results = await collector.readNow(target);
      if (o.json) console.log(JSON.stringify(results.map((r) => ({ ...r, values: r.reading?.values, reading: undefined, instant: r.reading?.instant, clock: r.reading?.clock })), null, 2));
      else results.forEach(printResult);
      return results.every((r) => r.reading) ? EXIT.ok : EXIT.failed;
    } finally {
      await collector.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** The collector commands. */
export const collectorCommands: Command[] = [runCmd, readCmd];
