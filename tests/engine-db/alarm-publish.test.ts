/**
 * `meterflow engine run --once` and `engine recompute` tell of the alarms they raise on the log
 * and on MQTT, heard by an independent subscriber (`mosquitto_sub`), on the embedded broker and
 * on Mosquitto. The data: one point, a day of readings with two hours missing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { ensureBroker, type Broker } from '../../cli/broker.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { waitFor } from '../support/collector-rig.ts';

const run = promisify(execFile);
const START = Date.parse('2026-10-04T22:00:00Z'); // 5 October 00:00 in Berlin
const GAP = [40, 47]; // readings 40…47 (10:00–11:45 local) never arrived

const brokers = [{ name: 'embedded', url: null as string | null }, ...(inject('localMqttUrl') ? [{ name: 'Mosquitto', url: inject('localMqttUrl') }] : [])];

/** A fresh database holding point P1 and its day with the gap, its ranges dirty. */
async function withGap(): Promise<Database> {
  const h = await archivedDatabase(dbTargets()[0]!, 'substations: [{ id: S, name: S, timeZone: Europe/Berlin }]\npoints: [{ id: P1, substation: S, name: feeder, timeZone: Europe/Berlin }]\n');
  const rows: ReadingRow[] = [];
  for (let i = 0; i <= 96; i++) {
    if (i >= GAP[0]! && i <= GAP[1]!) continue;
    rows.push({ pointId: 'P1', ts: new Date(START + i * 900_000), source: 'poll', values: [100_000 + i * 25, 40_000 + i * 25, 0, 30_000, 30_000, ...new Array<number | null>(15).fill(0)] });
  }
  await writeReadings(h, rows);
  return h;
}

describe('alarms with the broker away', () => {
  it('are stored and logged, and the engine neither stops nor hangs', async () => {
    const h = await withGap();
    try {
      // Port 1: nothing listens there.
      const r = await run('node', ['cli/bin.js', 'engine', 'run', '--once', '--mqtt', 'mqtt://127.0.0.1:1'], { env: { ...process.env, DATABASE_URL: h.url }, timeout: 30_000 });
      const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(lines.find((l) => l.msg === 'alarm raised')?.alarm).toMatchObject({ rule: 'missing-data', objectId: 'P1' });
      expect(lines.some((l) => l.msg === 'alarm publish failed')).toBe(true);
      expect((await h.pool.query(`SELECT rule, state FROM alarm WHERE object_id = 'P1'`)).rows).toEqual([{ rule: 'missing-data', state: 'open' }]);
    } finally {
      await h.close();
    }
  });
});

/** `mosquitto_sub` on meterflow/alarms/#, subscribed once a probe comes back through it. */
async function subscriber(url: string): Promise<{ heard(): string; kill(): void }> {
  const { hostname, port } = new URL(url);
  const sub = spawn('mosquitto_sub', ['-h', hostname, '-p', port || '1883', '-t', 'meterflow/alarms/#', '-v', '-q', '1']);
  let heard = '';
  sub.stdout.on('data', (b: Buffer) => (heard += b.toString()));
  const probe = await mqtt.connectAsync(url);
  await waitFor(async () => (await probe.publishAsync('meterflow/alarms/probe', 'x'), heard.includes('meterflow/alarms/probe')), 10_000, 'mosquitto_sub subscribed');
  await probe.endAsync();
  return { heard: () => heard, kill: () => sub.kill() };
}

describe.each(brokers)('alarms published on the $name broker', (target) => {
  let h: Database;
  let broker: Broker;
  beforeAll(async () => {
    broker = await ensureBroker(target.url ?? '');
    h = await withGap();
  });
  afterAll(async () => {
    await h.close();
    await broker.close();
  });

  it('publishes the missing-data alarm on meterflow/alarms/point/P1/missing-data and logs it', async () => {
    const sub = await subscriber(broker.url);
    try {
      const { stdout } = await run('node', ['cli/bin.js', 'engine', 'run', '--once', '--mqtt', broker.url], { env: { ...process.env, DATABASE_URL: h.url } });
      await waitFor(() => sub.heard().includes('meterflow/alarms/point/P1/missing-data '), 10_000, () => `the alarm on MQTT; heard: ${sub.heard()}`);
      const line = sub.heard().split('\n').find((l) => l.startsWith('meterflow/alarms/point/P1/missing-data '))!;
      const event = JSON.parse(line.slice(line.indexOf(' ') + 1));
      // 8 readings missing empty 9 intervals: from the last reading before (09:45 local, 07:45Z)
      // to the first after (12:00 local, 10:00Z).
      expect(event).toMatchObject({
        change: 'raised', rule: 'missing-data', objectKind: 'point', objectId: 'P1',
        periodStart: '2026-10-05T07:45:00.000Z', periodEnd: '2026-10-05T10:00:00.000Z', observed: 9, limit: 0,
      });
      const logged = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === 'alarm raised');
      expect(logged?.alarm).toMatchObject({ rule: 'missing-data', objectId: 'P1', periodStart: '2026-10-05T07:45:00.000Z' });
      const stored = (await h.pool.query(`SELECT rule, state FROM alarm WHERE object_id = 'P1'`)).rows;
      expect(stored).toEqual([{ rule: 'missing-data', state: 'open' }]);
    } finally {
      sub.kill();
    }
  });

  it('publishes and logs what `engine recompute` raises as well', async () => {
    const sub = await subscriber(broker.url);
    try {
      await h.pool.query('DELETE FROM alarm'); // as if the alarm had never been raised: the recompute raises it
      const { stdout } = await run('node', ['cli/bin.js', 'engine', 'recompute', '--from', '2026-10-05', '--to', '2026-10-06', '--mqtt', broker.url], { env: { ...process.env, DATABASE_URL: h.url } });
      await waitFor(() => sub.heard().includes('meterflow/alarms/point/P1/missing-data '), 10_000, () => `the alarm on MQTT; heard: ${sub.heard()}`);
      const logged = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'alarm raised');
      expect(logged?.alarm).toMatchObject({ rule: 'missing-data', objectId: 'P1', periodStart: '2026-10-05T07:45:00.000Z' });
    } finally {
      sub.kill();
    }
  });
});
