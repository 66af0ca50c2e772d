/** `meterflow engine run|recompute` and `meterflow export`. */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { boundInstant, drainTasks, holdingClaims, workerId, exportRows, recomputeBulk, runWorker, toCsv, EXPORT_COLUMNS, EXPORT_KINDS, type ExportKind, type TimeBound } from '../../calc-engine/store/index.ts';
import { claimWithin, DEFAULT_LEASE_MS, lockedMonths, outsideLocks, taskCounts } from '../../calc-engine/tasks/index.ts';
import { logAlarms, publishAlarms, serveEngine, type AlarmPublisher, type EngineEndpoint } from '../../calc-engine/publish/index.ts';
import { EXIT, UsageError, type Command, type OptionSpec } from '../command.ts';
import { progress } from '../progress.ts';
import { archiveKinds, dataDirOption, withDatabase } from './shared.ts';
import type { Database } from '../../schema/index.ts';
import { onStopSignal } from '../stop-signal.ts';

/**
 * An ISO date or time: with an offset it is that instant; without (`2026-10-01`,
 * `2026-10-01T06:00`) it is wall-clock time in each point's zone.
 */
function boundOption(name: string, v: unknown): TimeBound {
  if (typeof v !== 'string') throw new UsageError(`--${name} is required (ISO 8601, e.g. 2026-10-01 or 2026-10-01T00:00:00+02:00)`);
  const t = DateTime.fromISO(v, { zone: 'utc', setZone: true });
  if (!t.isValid) throw new UsageError(`--${name} '${v}' is not an ISO 8601 date or time (e.g. 2026-10-01 or 2026-10-01T00:00:00+02:00)`);
  const offset = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(v) && v.includes('T');
  if (offset) return t.toJSDate();
  return { local: v.includes('T') ? t.toISO({ includeOffset: false, suppressMilliseconds: true })! : t.toISODate()! };
}

/** `--from` and `--to` of the commands that take a time range. */
const rangeOptions = {
  from: { type: 'string', description: 'start, inclusive (ISO 8601; a date or time without offset is local to each point)' },
  to: { type: 'string', description: 'end, exclusive (ISO 8601; --to 2026-11-01 ends with October 31)' },
} as const;

/** The range of `--from` and `--to`, which must be in order. */
function rangeOf(o: Record<string, unknown>): { from: TimeBound; to: TimeBound } {
  const from = boundOption('from', o.from), to = boundOption('to', o.to);
  // Two local times, or two instants, compare as they are; a mixed pair depends on the zone.
  const same = (from instanceof Date) === (to instanceof Date);
  if (same && boundInstant(to, 'utc') <= boundInstant(from, 'utc')) throw new UsageError('--to must be after --from (the range is [from, to))');
  return { from, to };
}

const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), component: 'engine', ...line }));

const mqttOption: Record<string, OptionSpec> = {
  mqtt: { type: 'string', description: 'publish alarm changes to this broker, on meterflow/alarms/<kind>/<object>/<rule> (default: MQTT_URL; none: log only)' },
};

/** The MQTT publisher of alarm changes of `--mqtt` (or MQTT_URL), if any; its failures are logged. */
function alarmPublisher(url: string | undefined): AlarmPublisher | undefined {
  return url ? publishAlarms(url, { onError: (e) => log({ msg: 'alarm publish failed', level: 'warn', error: e.message }) }) : undefined;
}

function mqttUrl(o: Record<string, string | boolean | undefined>): string | undefined {
  return typeof o.mqtt === 'string' ? o.mqtt : process.env.MQTT_URL;
}

/** `--http [host:]port`: the engine endpoint's address (host 127.0.0.1 unless given). */
function httpOption(v: string | undefined): { host: string; port: number } | undefined {
  if (v === undefined || v === '' || v === 'none') return undefined;
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--http '${v}' is not [host:]port, e.g. 9465 or 0.0.0.0:9465`);
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

const runCmd: Command = {
  path: ['engine', 'run'],
  summary: 'Run an engine worker: claim dirty ranges, recompute, repeat (any number of workers may run).',
  options: {
    ...dataDirOption,
    once: { type: 'boolean', description: 'exit when no task is pending', default: false },
    'poll-ms': { type: 'string', description: 'poll interval for new tasks', default: '1000' },
    batch: { type: 'string', description: 'tasks claimed at a time', default: '200' },
    ...mqttOption,
    http: { type: 'string', description: 'serve GET /health, /metrics, /alarms and /alarms/events (a live stream) on [host:]port; port 0 picks one (default: MF_ENGINE_HTTP; none: no endpoint)' },
  },
  async run(_, o) {
    const listen = httpOption(typeof o.http === 'string' ? o.http : process.env.MF_ENGINE_HTTP);
    return withDatabase(o, async (h) => {
    const url = mqttUrl(o);
    const worker = workerId();
    let endpoint: EngineEndpoint | undefined;
    if (listen) {
      try {
        endpoint = await serveEngine(h, { ...listen, worker, onError: (e) => log({ msg: 'http endpoint error', level: 'warn', error: e.message }) });
      } catch (e) {
        console.error(`meterflow engine run: cannot serve HTTP on ${listen.host}:${listen.port} (${(e as Error).message}); choose another --http port`);
        return EXIT.failed;
      }
    }
    const publisher = alarmPublisher(url);
    const alarmListeners = [logAlarms(log), ...(publisher ? [publisher.listener] : []), ...(endpoint ? [endpoint.listener] : [])];
    try {
      if (o.once) {
        const n = await drainTasks(h, { log, worker, batch: Number(o.batch), alarmListeners });
        log({ msg: 'drained', tasks: n, ...(await taskCounts(h)) });
        return EXIT.ok;
      }
      const stop = new AbortController();
      onStopSignal((sig) => (log({ msg: `${sig}: finishing the current batch` }), stop.abort()));
      const http = endpoint ? `http://${listen!.host}:${endpoint.port}` : undefined;
      log({ msg: 'engine worker started', worker, alarms: ['log', ...(url ? [url] : []), ...(http ? [`${http}/alarms/events`] : [])].join(', '), ...(http ? { health: `${http}/health` } : {}) });
      await runWorker(h, stop.signal, { log, worker, pollMs: Number(o['poll-ms']), batch: Number(o.batch), alarmListeners, ...(endpoint ? { onPass: endpoint.onPass } : {}) });
      return EXIT.ok;
    } finally {
      await publisher?.close();
      await endpoint?.close();
    }
    });
  },
};

const recomputeCmd: Command = {
  path: ['engine', 'recompute'],
  summary: 'Recompute intervals, days, months and objects of a time range now, with progress.',
  options: {
    ...dataDirOption,
    ...rangeOptions,
    point: { type: 'string', description: 'only this metering point (default: all)' },
    ...mqttOption,
  },
  async run(_, o) {
    const { from, to } = rangeOf(o);
    return withDatabase(o, async (h) => {
      let points = h.db.selectFrom('metering_point').select(['id', 'time_zone']).orderBy('id');
      if (typeof o.point === 'string') points = points.where('id', '=', o.point);
      const zones = await points.execute();
      if (zones.length === 0) {
        if (typeof o.point === 'string') {
          console.error(`meterflow engine recompute: no metering point '${o.point}' in the archive; the ids are those of the archive file (meterflow import archive)`);
          return EXIT.usage;
        }
        console.error('meterflow engine recompute: the archive has no metering points; import one with meterflow import archive');
        return EXIT.failed;
      }
      const ids = zones.map((p) => p.id);
      const asked = zones.map((p) => ({ pointId: p.id, from: boundInstant(from, p.time_zone), to: boundInstant(to, p.time_zone) }));
      // Pending work inside the range is done by this run, not left for a worker (and a settlement) to wait on.
      const worker = workerId();
      const claimed = await claimWithin(h, worker, asked);
      const taskIds = claimed.flatMap((w) => w.taskIds);
      // A task lies inside its point's range; widened across a gap it may reach beyond: one range each.
      const byPoint = new Map(asked.map((a) => [a.pointId, a]));
      for (const c of claimed) {
        const a = byPoint.get(c.pointId)!;
        byPoint.set(c.pointId, { pointId: a.pointId, from: c.from < a.from ? c.from : a.from, to: c.to > a.to ? c.to : a.to });
      }
      // From here the claims are held: renewed while this runs, given back if anything fails.
      await holdingClaims(h, worker, taskIds, DEFAULT_LEASE_MS, async () => {
        const { ranges, locked } = await outsideLocks(h, [...byPoint.values()]);
        for (const [month, n] of lockedMonths(locked)) {
          console.error(`recompute: ${month} is settled for ${n} point${n === 1 ? '' : 's'}: left as settled (to recompute it, reopen it: meterflow settle --month ${month} --reopen --reason "…")`);
        }
        // Columnar points report as their chunks are written; the few the figure path takes follow.
        const bar = progress('recompute', ids.length);
        // Alarm changes are told as the worker tells them: a JSON log line each, and on MQTT.
        const publisher = alarmPublisher(mqttUrl(o));
        const s = await recomputeBulk(h, ranges, { onProgress: (done, total) => bar.update(done, total), alarmListeners: [logAlarms(log), ...(publisher ? [publisher.listener] : [])] })
          .finally(() => publisher?.close());
        bar.done(`${ids.length} points: ${s.intervals} intervals, ${s.days} days, ${s.months} months, ${s.objectResults} object results; alarms ${s.alarms.raised} raised, ${s.alarms.updated} updated, ${s.alarms.cleared} cleared`);
      });
      return EXIT.ok;
    });
  },
};

/**
 * What is wrong with `--point` or `--object`, if it names nothing the export can select: losses
 * are of statistical objects only, alarms also of points and terminals.
 */
async function unknownSelection(h: Database, kind: ExportKind, point: string | undefined, object: string | undefined): Promise<string | undefined> {
  const named = (id: string) => archiveKinds(h, id);
  if (point !== undefined && !(await named(point)).has('point')) return `no metering point '${point}' in the archive`;
  if (object === undefined) return undefined;
  const kinds = await named(object);
  if (kinds.has('object')) return undefined;
  if (kind === 'losses') {
    return `no statistical object '${object}' in the archive${kinds.has('point') ? ` ('${object}' is a metering point: its energy is in meterflow export daily|monthly|intervals --point ${object})` : ''}`;
  }
  return kinds.size > 0 ? undefined : `no statistical object, point or terminal '${object}' in the archive`;
}

const exportCmd: Command = {
  path: ['export'],
  args: '<daily|monthly|intervals|losses|alarms>',
  summary: 'Export derived figures or alarms as CSV or JSON.',
  options: {
    ...dataDirOption,
    ...rangeOptions,
    point: { type: 'string', description: 'only this metering point (daily, monthly, intervals, alarms)' },
    object: { type: 'string', description: 'only this statistical object (losses; alarms: also a point or terminal)' },
    format: { type: 'string', description: 'csv or json', default: 'csv' },
    out: { type: 'string', description: 'write to this file instead of standard output' },
  },
  async run([kind], o) {
    if (!kind || !EXPORT_KINDS.includes(kind as ExportKind)) throw new UsageError(`what to export: one of ${EXPORT_KINDS.join(', ')}`);
    if (o.format !== 'csv' && o.format !== 'json') throw new UsageError(`--format must be csv or json, not '${String(o.format)}'`);
    const { from, to } = rangeOf(o);
    const point = typeof o.point === 'string' ? o.point : undefined, object = typeof o.object === 'string' ? o.object : undefined;
    if (point !== undefined && kind === 'losses') throw new UsageError('--point does not select losses, which are of statistical objects: use --object');
    if (object !== undefined && kind !== 'losses' && kind !== 'alarms') throw new UsageError(`--object does not select ${kind} energy, which is of metering points: use --point`);
    if (point !== undefined && object !== undefined) throw new UsageError('--point and --object: give one');
    return withDatabase(o, async (h) => {
    const unknown = await unknownSelection(h, kind as ExportKind, point, object);
    if (unknown) {
      console.error(`meterflow export: ${unknown}; the ids are those of the archive file (meterflow import archive)`);
      return EXIT.usage;
    }
    const rows = await exportRows(h, { kind: kind as ExportKind, from, to, ...(point !== undefined ? { point } : {}), ...(object !== undefined ? { object } : {}) });
    const text = o.format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : toCsv(rows, EXPORT_COLUMNS[kind as ExportKind]);
    if (typeof o.out === 'string') {
      writeFileSync(o.out, text);
      console.error(`${rows.length} rows written to ${o.out}`);
    } else process.stdout.write(text);
    return EXIT.ok;
    });
  },
};

/** The engine and export commands. */
export const engineCommands: Command[] = [runCmd, recomputeCmd, exportCmd];
