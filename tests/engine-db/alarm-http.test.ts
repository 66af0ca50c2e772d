/**
 * `meterflow engine run --http 0` serves its health and alarms over HTTP, read by `curl`: a
 * client on `/alarms/events` hears the alarm the worker raises when readings with a gap arrive,
 * `/alarms` lists it, `/health` and `/metrics` tell of the worker and its tasks; a failing pass
 * turns `/health` to 503 and the worker runs on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { waitFor } from '../support/collector-rig.ts';

const curl = promisify(execFile);
const START = Date.parse('2026-10-04T22:00:00Z'); // 5 October 00:00 in Berlin

describe('the engine worker over HTTP', () => {
  let h: Database;
  let worker: ChildProcess;
  let base = '';
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    h = await archivedDatabase(dbTargets()[0]!, 'substations: [{ id: S, name: S, timeZone: Europe/Berlin }]\npoints: [{ id: P1, substation: S, name: feeder, timeZone: Europe/Berlin }]\n');
    worker = spawn('node', ['cli/bin.js', 'engine', 'run', '--http', '0', '--poll-ms', '200'], { env: { ...process.env, DATABASE_URL: h.url, MQTT_URL: '' } });
    let buf = '';
    worker.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) (logLines.push(JSON.parse(buf.slice(0, i))), (buf = buf.slice(i + 1)));
    });
    await waitFor(() => logLines.some((l) => l.msg === 'engine worker started'), 20_000, 'the worker to start');
    base = String(logLines.find((l) => l.msg === 'engine worker started')!.health).replace(/\/health$/, '');
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await h.close();
  });

  it('streams the alarm raised on new readings, lists it, and reports health and metrics', async () => {
    // An independent client holds the event stream open while the readings arrive.
    const events = spawn('curl', ['-sN', `${base}/alarms/events`]);
    let stream = '';
    events.stdout.on('data', (d: Buffer) => (stream += d.toString()));
    await waitFor(() => stream.includes(': meterflow alarm changes'), 10_000, 'the event stream to open');

    const rows: ReadingRow[] = [];
    for (let i = 0; i <= 96; i++) {
      if (i >= 40 && i <= 47) continue; // 10:00–11:45 local never arrived
      rows.push({ pointId: 'P1', ts: new Date(START + i * 900_000), source: 'poll', values: [100_000 + i * 25, 40_000 + i * 25, 0, 30_000, 30_000, ...new Array<number | null>(15).fill(0)] });
    }
    await writeReadings(h, rows);

    await waitFor(() => stream.includes('event: alarm'), 30_000, () => `an alarm event; stream so far: ${stream}`);
    events.kill();
    const data = stream.split('\n').find((l) => l.startsWith('data: '))!;
    expect(JSON.parse(data.slice(6))).toMatchObject({ change: 'raised', rule: 'missing-data', objectKind: 'point', objectId: 'P1', periodStart: '2026-10-05T07:45:00.000Z', periodEnd: '2026-10-05T10:00:00.000Z' });

    // Eight readings missing leave the nine intervals from 09:45 to 12:00 local without energy.
    const listed = JSON.parse((await curl('curl', ['-s', `${base}/alarms?rule=missing-data`])).stdout) as Record<string, unknown>[];
    expect(listed.map((a) => [a.rule, a.object_id, a.state, a.observed])).toEqual([['missing-data', 'P1', 'open', '9']]);
    const refused = await curl('curl', ['-s', '-w', '%{http_code}', `${base}/alarms?rule=nonsense`]);
    expect(refused.stdout).toMatch(/rule nonsense: one of outlier,.*400$/s);

    await waitFor(async () => JSON.parse((await curl('curl', ['-s', `${base}/health`])).stdout).tasks.pending === 0, 10_000, 'the tasks to drain');
    const health = await curl('curl', ['-s', '-w', '%{http_code}', `${base}/health`]);
    const code = health.stdout.slice(-3), body = health.stdout.slice(0, -3);
    expect(code).toBe('200');
    expect(JSON.parse(body)).toMatchObject({ status: 'ok', tasks: { pending: 0, running: 0, failed: 0 }, lastPass: { tasks: expect.any(Number) } });
    expect((await curl('curl', ['-s', `${base}/metrics`])).stdout).toMatch(/meterflow_engine_alarms_open\{severity="warning"\} 1\n/);
  });

  it('keeps running when a pass fails, reporting 503 on /health until the database answers again', async () => {
    const status = async () => (await curl('curl', ['-s', '-w', '%{http_code}', `${base}/health`])).stdout.slice(-3);
    // The task queue vanishes under the worker, as a broken database would have it.
    await h.pool.query('ALTER TABLE calc_task RENAME TO calc_task_away');
    await waitFor(() => logLines.some((l) => l.msg === 'engine pass failed; trying again at the next poll' && l.level === 'error'), 10_000, 'a failed pass logged');
    expect(await status()).toBe('503');
    expect(worker.exitCode).toBeNull();
    await h.pool.query('ALTER TABLE calc_task_away RENAME TO calc_task');
    await waitFor(async () => (await status()) === '200', 10_000, 'health to recover');
  });
});
