import { execFile } from 'node:child_process';
import net from 'node:net';
import Aedes from 'aedes';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryError, MqttLink, type InvalidMessage, type Snapshot } from '../../collector/index.ts';
import { REGISTER_CODES } from '../../schema/registers.ts';

const URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const run = promisify(execFile);
const pub = (topic: string, payload: string, retain = false): Promise<unknown> =>
  run('mosquitto_pub', ['-L', `${URL}/${topic}`, '-q', '1', ...(retain ? ['-r'] : []), '-m', payload]);
const tag = randomUUID().slice(0, 8);
const term = (name: string): string => `${name}-${tag}`;
const links: MqttLink[] = [];
const connect = async (opts: Partial<Parameters<typeof MqttLink.connect>[0]> = {}): Promise<MqttLink> => {
  const l = await MqttLink.connect({ url: URL, ...opts });
  links.push(l);
  return l;
};
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};
const regs = (base: number): number[] => Array.from({ length: 20 }, (_, i) => base + i);
const named = (values: (number | null)[]): Record<string, number | null> => Object.fromEntries(REGISTER_CODES.map((c, i) => [c, values[i]!]));
const readings = (t: string, time: number, meters: unknown[]): string => JSON.stringify({ schema: 'meterflow.readings.v1', terminal: t, seq: 1, time, meters });

afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
});

describe('MQTT transport against Mosquitto', () => {
  it('takes pushed snapshots and counts malformed payloads without failing', async () => {
    const t = term('push');
    const link = await connect({ terminals: [t] });
    const got: Snapshot[] = [];
    const bad: InvalidMessage[] = [];
    link.onSnapshot((s) => got.push(s));
    link.onInvalid((m) => bad.push(m));
    await pub(`meterflow/v1/${t}/readings`, readings(t, 1735689600, [{ unit: 1, serial: 's1', clock: 1735689599, registers: named(regs(100)), voltage: [23010, 23000, 22990], current: [5000, 5100, 4900], power: -1200, powerFactor: 985 }]));
    await pub(`meterflow/v1/${t}/readings`, '{not json');
    await pub(`meterflow/v1/${t}/readings`, readings(t, 1735689600, [{ unit: 1, registers: { ...named(regs(0)), 'ap_imp.total': '1.5' } }]));
    await pub(`meterflow/v1/${t}/readings`, readings(t, 1735690500, [{ unit: 2, registers: { ...named(regs(7)), 'rp_exp.valley': null } }]));
    await pub(`meterflow/v1/${t}/readings`, readings(t, 1735690500, [{ unit: 3, registers: {} }, { unit: 3, registers: {} }]));
    await until(() => got.length + bad.length >= 5);
    expect(got.map((s) => s.ts.toISOString())).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-01T00:15:00.000Z']);
    expect(got[0]!.meters[0]!.registers).toEqual(regs(100));
    expect(got[0]!.meters[0]!.instant).toEqual({ ua: 230.1, ub: 230, uc: 229.9, ia: 5, ib: 5.1, ic: 4.9, p: -1200, pf: 0.985 });
    expect(got[0]!.meters[0]!.clock?.getTime()).toBe(1735689599_000);
    expect(got[1]!.meters[0]!.registers[19]).toBeNull();
    expect(bad.map((b) => b.terminal)).toEqual([t, t, t]);
    expect(bad[2]!.error).toMatch(/unit appears twice/);
    expect(bad[0]!.error).toMatch(/not JSON/);
    expect(bad[1]!.error).toMatch(/meters\.0\.registers\.ap_imp\.total/);
  });

  it('takes a snapshot written by hand: no schema tag or terminal, time as ISO 8601', async () => {
    const t = term('hand');
    const link = await connect({ terminals: [t] });
    const got: Snapshot[] = [];
    link.onSnapshot((s) => got.push(s));
    await pub(`meterflow/v1/${t}/readings`, JSON.stringify({ time: '2025-01-01T01:15:00+01:00', meters: [{ unit: 1, registers: { 'ap_imp.total': 123456 } }] }));
    await until(() => got.length >= 1);
    expect(got[0]).toMatchObject({ terminal: t, ts: new Date('2025-01-01T00:15:00Z') });
    expect(got[0]!.meters[0]!.registers[0]).toBe(123456);
  });

  it('follows the retained status and the last will', async () => {
    const t = term('status');
    await pub(`meterflow/v1/${t}/status`, 'online', true);
    const link = await connect({ terminals: [t] });
    await until(() => link.status(t) === 'online');
    // A terminal connects with a last will, then dies without saying goodbye.
    const terminal = await mqtt.connectAsync(URL, { will: { topic: `meterflow/v1/${t}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 } });
    const seen: string[] = [];
    link.onStatus((_, s) => seen.push(s));
    terminal.stream.destroy();
    await until(() => link.status(t) === 'offline');
    expect(seen).toEqual(['offline']);
    await pub(`meterflow/v1/${t}/status`, '', true); // clear the retained message
  });

  it('requests history and collects chunks until the last, in sequence order', async () => {
    const t = term('hist');
    const terminal = await mqtt.connectAsync(URL);
    await terminal.subscribeAsync(`meterflow/v1/${t}/history/request`, { qos: 1 });
    terminal.on('message', (_topic, payload) => {
      const req = JSON.parse(payload.toString()) as { requestId: string; from: number; to: number };
      const topic = `meterflow/v1/${t}/history/response/${req.requestId}`;
      const rec = (time: number) => ({ unit: 1, serial: 's1', time, registers: named(regs(time % 1000)) });
      const chunk = (n: number, last: boolean, time: number) => ({ schema: 'meterflow.history.v1', terminal: t, requestId: req.requestId, chunk: n, last, records: [rec(time)] });
      const chunks = [chunk(2, true, req.from + 1800), chunk(0, false, req.from), chunk(1, false, req.from + 900)];
      for (const c of chunks) void terminal.publishAsync(topic, JSON.stringify(c), { qos: 1 });
    });
    const link = await connect({ terminals: [t] });
    const from = new Date(1735689600_000);
    const answer = await link.requestHistory(t, from, new Date(from.getTime() + 1800_000));
    expect(answer.chunks).toBe(3);
    expect(answer.records.map((r) => r.ts.getTime() / 1000)).toEqual([1735689600, 1735690500, 1735691400]);
    expect(answer.records[1]!.registers).toEqual(regs(1735690500 % 1000));
    await terminal.endAsync();
  });

  it('gives up on a history answer that stops arriving, keeping what came', async () => {
    const t = term('histdead');
    const link = await connect({ terminals: [t], historyTimeoutMs: 300 });
    const err = await link.requestHistory(t, new Date(0), new Date(900_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).partial).toEqual([]);
  });

  it('splits pushes between collectors of one shared-subscription group', async () => {
    const t = term('shared');
    const group = `g-${tag}`;
    const a = await connect({ terminals: [t], shareGroup: group });
    const b = await connect({ terminals: [t], shareGroup: group });
    let na = 0;
    let nb = 0;
    a.onSnapshot(() => na++);
    b.onSnapshot(() => nb++);
    for (let i = 0; i < 20; i++) await pub(`meterflow/v1/${t}/readings`, readings(t, 1735689600 + i * 900, []));
    await until(() => na + nb >= 20);
    await new Promise((r) => setTimeout(r, 100));
    expect(na + nb).toBe(20);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
  });
});

/** A port nothing listens on yet. */
const freePort = async (): Promise<number> => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
};

type AedesOptions = { authenticate?: (client: unknown, user: unknown, password: unknown, done: (e: Error | null, ok: boolean) => void) => void };

/** The protocol level of an MQTT CONNECT packet (5 for MQTT 5, 4 for 3.1.1). */
const protocolLevel = (connect: Buffer): number => {
  let i = 1;
  while (connect[i]! & 0x80) i++; // the remaining length, 1 to 4 bytes
  i += 1;
  return connect[i + 2 + connect.readUInt16BE(i)]!;
};

/**
 * An in-process aedes broker (MQTT 3.1.1 only) on `port`; the returned function stops it. With
 * `refuse` it refuses every login; with `dropsMqtt5` an MQTT 5 CONNECT is not refused but its
 * connection closed without an answer, as some brokers without MQTT 5 do.
 */
const aedesOn = async (port: number, { refuse = false, dropsMqtt5 = false } = {}): Promise<() => Promise<void>> => {
  const options: AedesOptions = refuse ? { authenticate: (_c, _u, _p, done) => done(null, false) } : {};
  const aedes = (Aedes as unknown as { createBroker(o: AedesOptions): { handle: (s: net.Socket) => void; close(cb: () => void): void } }).createBroker(options);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    if (!dropsMqtt5) return aedes.handle(s);
    s.once('readable', () => {
      const first = s.read() as Buffer | null;
      if (!first || protocolLevel(first) === 5) return void s.end();
      s.unshift(first);
      aedes.handle(s);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => aedes.close(() => r()));
  };
};

/**
 * Connect a link to an aedes broker started before it (`brokerFirst`) or only after it, and
 * check that the link takes a snapshot pushed through that broker.
 */
const takesPushOverAedes = async (brokerFirst: boolean, dropsMqtt5 = false): Promise<void> => {
  const port = await freePort();
  const early = brokerFirst ? await aedesOn(port, { dropsMqtt5 }) : undefined;
  const t = term(brokerFirst ? 'aedes' : 'late');
  const link = await MqttLink.connect({ url: `mqtt://127.0.0.1:${port}`, terminals: [t] });
  links.push(link);
  const got: Snapshot[] = [];
  link.onSnapshot((s) => got.push(s));
  const stop = early ?? (await aedesOn(port, { dropsMqtt5 }));
  try {
    const sender = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    // Until the link has subscribed, a push finds no one: send again until one arrives.
    for (let i = 0; got.length === 0 && i < 100; i++) {
      await sender.publishAsync(`meterflow/v1/${t}/readings`, readings(t, 1735689600, [{ unit: 1, registers: named(regs(100)) }]), { qos: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await sender.endAsync();
    expect(got[0]?.meters[0]?.registers).toEqual(regs(100));
  } finally {
    await link.close();
    await stop();
  }
};

describe('MQTT transport with an aedes broker (no MQTT 5)', () => {
  it('speaks 3.1.1 to it from the first connect and takes its pushes', () => takesPushOverAedes(true));

  it('starts without it, dials on, speaks 3.1.1 to it once it answers and takes its pushes', () => takesPushOverAedes(false));

  it('speaks 3.1.1 to one that drops an MQTT 5 connection unanswered, and takes its pushes', () => takesPushOverAedes(true, true));
});

describe('MQTT transport when the broker does not answer or refuses', () => {
  it('starts when every connection is closed without an answer, and dials on', async () => {
    const port = await freePort();
    let dialled = 0;
    // A port whose broker is not up (a proxy in front of it): connections accepted, the CONNECT
    // read, the connection closed cleanly (no reset, so no socket error reaches the client).
    const server = net.createServer((s) => (dialled++, s.once('data', () => s.end())));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    const t = term('mute');
    const link = await MqttLink.connect({ url: `mqtt://127.0.0.1:${port}`, terminals: [t] });
    try {
      expect(link.status(t)).toBe('unknown');
      await until(() => dialled >= 2);
    } finally {
      await link.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('tells of a broker gone once per outage, and of a refused login', async () => {
    const port = await freePort();
    const stop = await aedesOn(port);
    const link = await MqttLink.connect({ url: `mqtt://127.0.0.1:${port}`, terminals: [term('told')] });
    links.push(link);
    const told: string[] = [];
    link.onError((e) => told.push(e.message));
    await stop();
    // The link dials again once a second; three tries, one report.
    await new Promise((r) => setTimeout(r, 3_200));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/ECONN(REFUSED|RESET)/);
    const stopRefusing = await aedesOn(port, { refuse: true });
    try {
      await until(() => told.length >= 2);
      expect(told[1]).toMatch(/not authori[sz]ed/i);
    } finally {
      await link.close();
      await stopRefusing();
    }
  });
});
