/**
 * End to end across processes: `meterflow collector run` as a child process against simulated
 * Modbus TCP and MQTT terminals (the local Mosquitto when it answers, else the in-process aedes
 * broker), `kill -9` mid-run, a link outage while it is dead, a restart, and `meterflow read`
 * on demand. The restarted collector learns from the database what it missed and backfills it:
 * at the end every interval record of the ground truth is stored exactly once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureBroker } from '../../cli/broker.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { startRig, storeRigArchive, storedReadings, waitFor } from '../support/collector-rig.ts';

const SPEED = 10_800;
const ROOT = new URL('../..', import.meta.url).pathname;
const mosquitto = inject('localMqttUrl');

const scenario = (tag: string): string => `
name: collector-restart
seed: 5
start: 2024-06-01T00:00:00Z
duration: 36h
stepSeconds: 300
terminals:
  - id: gw-${tag}
    transports: { modbusTcp: { port: 0 } }
    meters:
      - { unit: 1, name: feeder-a, load: { kind: profile, shape: industrial, peakKw: 700 }, initial: 5000 }
      - { unit: 2, name: feeder-b, load: { kind: profile, shape: commercial, peakKw: 200 } }
  - id: push-${tag}
    transports: { mqtt: {} }
    meters:
      - { unit: 1, name: roof-a, load: { kind: profile, shape: flat, peakKw: 5, pvKw: 60 } }
      - { unit: 2, name: roof-b, load: { kind: profile, shape: residential, peakKw: 30 } }
faults:
  - { kind: link-down, terminal: gw-${tag}, at: "+10h", duration: 2h }
  - { kind: link-down, terminal: push-${tag}, at: "+9h", duration: 3h }
`;

function collector(config: string, clock: string, url: string, lines: string[]): ChildProcess {
  const child = spawn(process.execPath, ['cli/bin.js', 'collector', 'run', '--config', config, '--clock', clock, '--health-port', '0'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let rest = '';
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (rest + b.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (b: Buffer) => lines.push(`stderr: ${b.toString()}`));
  return child;
}

const exited = (c: ChildProcess): Promise<number | null> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.each(dbTargets())('collector process on $name PostgreSQL', (target) => {
  it('survives kill -9: the restarted collector backfills what it missed, every record stored once', async () => {
    const tag = randomUUID().slice(0, 6);
    const broker = await ensureBroker(mosquitto ?? '');
    const h = await freshDatabase(target);
    const dir = await mkdtemp(join(tmpdir(), 'meterflow-restart-'));
    dirs.push(dir);
    // Simulated time starts a few seconds from now, so the collector process is up by then.
    const rig = await startRig(scenario(tag), { speed: SPEED, mqttUrl: broker.url, startAt: Date.now() + 4000 });
    const children: ChildProcess[] = [];
    try {
      await storeRigArchive(h, rig);
      const port = rig.endpoints.find((e) => e.terminal === `gw-${tag}`)!.modbusTcp!.port;
      const config = join(dir, 'site.yaml');
      await writeFile(config, `site: restart-${tag}
offsetSeconds: 30
timeoutMs: 2000
retries: 1
breaker: { failureThreshold: 2, cooldownMs: 300, maxCooldownMs: 1000 }
spool: { path: ${join(dir, 'collector.spool')} }
mqtt: { url: ${broker.url} }
backfill: { sweepSeconds: 1 }
terminals:
  - id: gw-${tag}
    profile: sim-terminal-v1
    pollFrom: load-profile
    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 300, connectTimeoutMs: 300 }
    meters: [{ unitId: 1, point: feeder-a }, { unitId: 2, point: feeder-b }]
  - id: push-${tag}
    profile: sim-terminal-v1
    transport: { kind: mqtt, historyTimeoutMs: 2000 }
    meters: [{ unitId: 1, point: roof-a }, { unitId: 2, point: roof-b }]
`);
      const clock = `${new Date(rig.sim.start * 1000).toISOString()},${SPEED},${rig.epoch}`;
      const lines: string[] = [];
      const first = collector(config, clock, h.url, lines);
      children.push(first);
      const rows = async () => Number((await h.pool.query('SELECT count(*) AS n FROM reading')).rows[0].n);
      const said = (): string => `; the collector said:\n${lines.slice(-15).join('\n')}`;
      await waitFor(async () => (await rows()) >= 8 && rig.now() >= rig.sim.start + 6 * 3600, 60_000, () => `the first collector writing${said()}`);
      first.kill('SIGKILL');
      expect(await exited(first)).toBe(null);

      // Dead through both outages; then a new process takes over from the database and its spool.
      await waitFor(() => rig.now() >= rig.sim.start + 13 * 3600, 60_000, 'simulated hour 13');
      const second = collector(config, clock, h.url, lines);
      children.push(second);
      await waitFor(() => lines.filter((l) => l.includes('"collector started"')).length === 2, 60_000, () => `the second collector starting${said()}`);
      const started = JSON.parse(lines.filter((l) => l.includes('"collector started"')).at(-1)!) as { healthPort: number };
      const health = (await (await fetch(`http://127.0.0.1:${started.healthPort}/health`)).json()) as { site: string };
      expect(health.site).toBe(`restart-${tag}`);

      // Asynchronously: the simulated terminals live in this process and must keep answering.
      const read = await promisify(execFile)(process.execPath, ['cli/bin.js', 'read', 'feeder-a', '--config', config, '--json'], { cwd: ROOT, encoding: 'utf8' });
      const [now] = JSON.parse(read.stdout) as { point: string; values: number[] }[];
      expect(now!.point).toBe('feeder-a');
      expect(now!.values[0]).toBeGreaterThanOrEqual(500_000);

      await rig.ended;
      const complete = async (): Promise<boolean> => {
        const stored = await storedReadings(h);
        return [...rig.truth].every(([p, recs]) => [...recs.keys()].every((ts) => stored.get(p)?.has(ts)));
      };
      await waitFor(complete, 60_000, () => `every record of the ground truth stored${said()}`);
      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
      expect(lines.some((l) => l.includes('"collector stopped"'))).toBe(true);
      for (const l of lines.filter((x) => x.startsWith('{'))) expect(() => JSON.parse(l)).not.toThrow();

      const stored = await storedReadings(h);
      for (const [point, records] of rig.truth) {
        const got = stored.get(point)!;
        expect(got.size, point).toBe(records.size);
        for (const [ts, values] of records) expect(got.get(ts)?.values, `${point} at ${new Date(ts).toISOString()}`).toEqual(values);
      }
      const sources = new Set([...stored.values()].flatMap((m) => [...m.values()].map((v) => v.source)));
      expect([...sources].sort()).toEqual(['backfill', 'poll', 'push']);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await rig.stop();
      await h.close();
      await broker.close();
    }
  });
});
