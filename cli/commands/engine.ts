/** `meterflow engine run|recompute` and `meterflow export`. */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { drainTasks, exportRows, recomputeBulk, runWorker, toCsv, EXPORT_KINDS, type ExportKind } from '../../calc-engine/store/index.ts';
import { lockedMonths, outsideLocks, taskCounts } from '../../calc-engine/tasks/index.ts';
import { logAlarms, publishAlarms } from '../../calc-engine/publish/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { progress } from '../progress.ts';
import { dataDirOption, withDatabase } from './shared.ts';
import { onStopSignal } from '../stop-signal.ts';

/** An ISO date or time; a date without offset is taken as UTC midnight. */
function instantOption(name: string, v: unknown): Date {
  if (typeof v !== 'string') throw new UsageError(`--${name} is required (ISO 8601, e.g. 2026-10-01 or 2026-10-01T00:00:00+02:00)`);
  const t = DateTime.fromISO(v, { zone: 'utc', setZone: true });
  if (!t.isValid) throw new UsageError(`--${name} '${v}' is not an ISO 8601 date or time`);
  return t.toJSDate();
}

/** `--from` and `--to` of the commands that take a time range. */
const rangeOptions = {
  from: { type: 'string', description: 'start (ISO 8601 date or time)' },
  to: { type: 'string', description: 'end (ISO 8601 date or time)' },
} as const;

/** The range of `--from` and `--to`, which must be in order. */
function rangeOf(o: Record<string, unknown>): { from: Date; to: Date } {
  const from = instantOption('from', o.from), to = instantOption('to', o.to);
  if (to <= from) throw new UsageError('--to must be after --from');
  return { from, to };
}

const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), component: 'engine', ...line }));

const runCmd: Command = {
  path: ['engine', 'run'],
  summary: 'Run an engine worker: claim dirty ranges, recompute, repeat (any number of workers may run).',
  options: {
    ...dataDirOption,
    once: { type: 'boolean', description: 'exit when no task is pending', default: false },
    'poll-ms': { type: 'string', description: 'poll interval for new tasks', default: '1000' },
    batch: { type: 'string', description: 'tasks claimed at a time', default: '200' },
    mqtt: { type: 'string', description: 'publish alarm changes to this broker, on meterflow/alarms/<kind>/<object>/<rule> (default: MQTT_URL; none: log only)' },
  },
  async run(_, o) {
    return withDatabase(o, async (h) => {
    const url = typeof o.mqtt === 'string' ? o.mqtt : process.env.MQTT_URL;
    const publisher = url ? publishAlarms(url, { onError: (e) => log({ msg: 'alarm publish failed', level: 'warn', error: e.message }) }) : undefined;
    const alarmListeners = [logAlarms(log), ...(publisher ? [publisher.listener] : [])];
    try {
      if (o.once) {
        const n = await drainTasks(h, { log, batch: Number(o.batch), alarmListeners });
        log({ msg: 'drained', tasks: n, ...(await taskCounts(h)) });
        return EXIT.ok;
      }
      const stop = new AbortController();
      onStopSignal((sig) => (log({ msg: `${sig}: finishing the current batch` }), stop.abort()));
      log({ msg: 'engine worker started', alarms: url ? `log and ${url}` : 'log' });
      await runWorker(h, stop.signal, { log, pollMs: Number(o['poll-ms']), batch: Number(o.batch), alarmListeners });
      return EXIT.ok;
    } finally {
      await publisher?.close();
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
  },
  async run(_, o) {
    const { from, to } = rangeOf(o);
    return withDatabase(o, async (h) => {
    const ids = typeof o.point === 'string' ? [o.point] : (await h.db.selectFrom('metering_point').select('id').orderBy('id').execute()).map((r) => r.id);
    const { ranges, locked } = await outsideLocks(h, ids.map((pointId) => ({ pointId, from, to })));
    for (const [month, n] of lockedMonths(locked)) {
      console.error(`recompute: ${month} is settled for ${n} point${n === 1 ? '' : 's'}: left as settled (to recompute it, reopen it: meterflow settle --month ${month} --reopen --reason "…")`);
    }
    // Columnar points report as their chunks are written; the few the figure path takes follow.
    const bar = progress('recompute', ids.length);
    const s = await recomputeBulk(h, ranges, { onProgress: (done, total) => bar.update(done, total) });
    bar.done(`${ids.length} points: ${s.intervals} intervals, ${s.days} days, ${s.months} months, ${s.objectResults} object results; alarms ${s.alarms.raised} raised, ${s.alarms.updated} updated, ${s.alarms.cleared} cleared`);
    return EXIT.ok;
    });
  },
};

const exportCmd: Command = {
  path: ['export'],
  args: '<daily|monthly|intervals|losses|alarms>',
  summary: 'Export derived figures or alarms as CSV or JSON.',
  options: {
    ...dataDirOption,
    ...rangeOptions,
    point: { type: 'string', description: 'only this metering point' },
    object: { type: 'string', description: 'only this statistical object (losses, alarms)' },
    format: { type: 'string', description: 'csv or json', default: 'csv' },
    out: { type: 'string', description: 'write to this file instead of standard output' },
  },
  async run([kind], o) {
    if (!kind || !EXPORT_KINDS.includes(kind as ExportKind)) throw new UsageError(`what to export: one of ${EXPORT_KINDS.join(', ')}`);
    if (o.format !== 'csv' && o.format !== 'json') throw new UsageError(`--format must be csv or json, not '${String(o.format)}'`);
    const { from, to } = rangeOf(o);
    return withDatabase(o, async (h) => {
    const rows = await exportRows(h, { kind: kind as ExportKind, from, to, ...(typeof o.point === 'string' ? { point: o.point } : {}), ...(typeof o.object === 'string' ? { object: o.object } : {}) });
    const text = o.format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : toCsv(rows);
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
