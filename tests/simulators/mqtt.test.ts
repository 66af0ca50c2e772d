import { randomUUID } from 'node:crypto';
import net from 'node:net';
import Aedes from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../simulators/index.ts';
import { EventPayload, HistoryResponsePayload, MqttTerminal, ReadingsPayload, registersFromPayload, terminalTopics, type HistoryResponse, type ReadingsMessage } from '../../simulators/mqtt/index.ts';
import type { Terminal, TerminalEvent } from '../../simulators/terminal/index.ts';
import { at, terminalWith } from './support.ts';

const MOSQUITTO = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 1883), u.hostname);
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// An in-process broker always; Mosquitto too when it answers.
// aedes' types declare a class, its CommonJS export is a factory function: call it as one.
const aedes = (Aedes as unknown as { createBroker(): { handle: (s: net.Socket) => void; close(cb: () => void): void } }).createBroker();
const aedesServer = net.createServer(aedes.handle);
const brokers: { name: string; url: () => string }[] = [
  { name: 'aedes (in-process)', url: () => `mqtt://127.0.0.1:${(aedesServer.address() as net.AddressInfo).port}` },
  { name: 'mosquitto', url: () => MOSQUITTO },
];
const mosquittoUp = await reachable(MOSQUITTO);

beforeAll(() => new Promise<void>((r) => aedesServer.listen(0, '127.0.0.1', () => r())));
afterAll(async () => {
  await new Promise<void>((r) => aedesServer.close(() => r()));
  await new Promise<void>((r) => aedes.close(() => r()));
});

describe.each(brokers)('MQTT terminal on $name', (broker) => {
  const skip = broker.name === 'mosquitto' && !mosquittoUp;
  const start = at('2024-06-01T00:00:00Z');
  let terminal: Terminal;
  let pub: MqttTerminal;
  let sub: MqttClient;
  let topics: ReturnType<typeof terminalTopics>;
  const got: { topic: string; text: string }[] = [];
  const truth: Extract<TerminalEvent, { type: 'interval' }>[] = [];
  const readings = () => got.filter((m) => m.topic === topics.readings);
  const statuses = () => got.filter((m) => m.topic === topics.status).map((m) => m.text);

  beforeAll(async () => {
    if (skip) return;
    // A unique id per run: a shared broker keeps retained status messages.
    const id = `sim-test-${randomUUID().slice(0, 8)}`;
    terminal = terminalWith(2, start, 9, id);
    topics = terminalTopics(id);
    terminal.on((e) => e.type === 'interval' && truth.push(e));
    sub = await mqtt.connectAsync(broker.url());
    sub.on('message', (topic, payload) => got.push({ topic, text: payload.toString() }));
    await sub.subscribeAsync(`meterflow/v1/${id}/#`, { qos: 1 });
    pub = new MqttTerminal(terminal, { url: broker.url() });
    await pub.start();
    await until(() => statuses().includes('online'), 'status online');
  });
  afterAll(async () => {
    if (skip) return;
    await pub.stop();
    await sub.publishAsync(topics.status, '', { retain: true }); // leave no retained status behind
    await sub.endAsync();
  });

  it.skipIf(skip)('pushes a readings snapshot of every meter each interval, matching the ground truth', async () => {
    terminal.advanceTo(start + 3600);
    await until(() => readings().length >= 4, 'four snapshots');
    const msgs = readings().map((m) => ReadingsPayload.parse(JSON.parse(m.text)));
    expect(msgs.map((m) => m.time)).toEqual([1, 2, 3, 4].map((i) => start + i * 900));
    expect(msgs.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    for (const m of msgs)
      for (const meter of m.meters) {
        const gt = truth.find((e) => e.time === m.time && e.unit === meter.unit)!;
        expect(registersFromPayload(meter.registers)).toEqual(gt.reading.registers);
        expect(meter.power).toBe(gt.reading.power);
      }
  });

  it.skipIf(skip)('answers history requests in chunks, the last one marked', async () => {
    const requestId = `r-${randomUUID().slice(0, 8)}`;
    await sub.publishAsync(topics.historyRequest, JSON.stringify({ requestId, from: start, to: start + 3600, chunkSize: 3 }));
    const mine = () => got.filter((m) => m.topic === topics.historyResponse(requestId)).map((m) => HistoryResponsePayload.parse(JSON.parse(m.text)));
    await until(() => mine().some((c) => c.last), 'last chunk');
    const chunks: HistoryResponse[] = mine().sort((a, b) => a.chunk - b.chunk);
    expect(chunks.map((c) => c.chunk)).toEqual([0, 1, 2, 3]); // 5 boundaries × 2 meters / 3
    expect(chunks.filter((c) => c.last)).toHaveLength(1);
    const records = chunks.flatMap((c) => c.records);
    for (const u of [1, 2])
      expect(records.filter((r) => r.unit === u).map((r) => registersFromPayload(r.registers))).toEqual(
        terminal.slot(u)!.meter.profile.range(start, start + 3600).map((p) => p.registers),
      );
    // The same range in ISO 8601, as a person types it: the same records.
    const iso = (t: number) => new Date(t * 1000).toISOString();
    await sub.publishAsync(topics.historyRequest, JSON.stringify({ requestId: `${requestId}-iso`, from: iso(start), to: iso(start + 3600), chunkSize: 100 }));
    const isoChunks = () => got.filter((m) => m.topic === topics.historyResponse(`${requestId}-iso`)).map((m) => HistoryResponsePayload.parse(JSON.parse(m.text)));
    await until(() => isoChunks().some((c) => c.last), 'last chunk of the ISO request');
    expect(isoChunks().flatMap((c) => c.records)).toEqual(records);
    await sub.publishAsync(topics.historyRequest, JSON.stringify({ requestId: 'bad-1', from: 'yesterday' }));
    await until(() => got.some((m) => m.topic === topics.historyResponse('bad-1')), 'error answer');
    expect(HistoryResponsePayload.parse(JSON.parse(got.find((m) => m.topic === topics.historyResponse('bad-1'))!.text)).error).toBeTruthy();
  });

  it.skipIf(skip)('publishes power down/up events', async () => {
    injectFault(terminal, { kind: 'power-loss', unit: 2, duration: 1800 });
    terminal.advanceTo(terminal.time + 3600);
    const events = () => got.filter((m) => m.topic === topics.events).map((m) => EventPayload.parse(JSON.parse(m.text)));
    await until(() => events().length >= 2, 'two events');
    expect(events().map((e) => [e.kind, e.unit])).toEqual([
      ['power-down', 2],
      ['power-up', 2],
    ]);
  });

  it.skipIf(skip)('shows duplicate, out-of-order and malformed messages', async () => {
    const seqs = () => readings().map((m) => m.text).filter((t) => t.endsWith('}')).map((t) => { try { return ReadingsPayload.parse(JSON.parse(t)).seq; } catch { return -1; } });
    const bad = () => readings().filter((m) => !ReadingsPayload.safeParse((() => { try { return JSON.parse(m.text); } catch { return undefined; } })()).success).length;
    const step = async (f: Parameters<typeof injectFault>[1], n: number, expected = n) => {
      const before = readings().length;
      injectFault(terminal, { ...f, duration: 900 * n });
      terminal.advanceTo(terminal.time + 900 * n);
      await until(() => readings().length >= before + expected, `${f.kind} messages`);
      return before;
    };
    let from = await step({ kind: 'mqtt-duplicate' }, 2);
    await until(() => readings().length >= from + 4, 'duplicates');
    const dup = seqs().slice(-4);
    expect(dup[0]).toBe(dup[1]);
    expect(dup[2]).toBe(dup[3]);

    from = await step({ kind: 'mqtt-out-of-order' }, 3, 2); // the third is held back
    terminal.advanceTo(terminal.time + 900); // one more so the held message goes out
    await until(() => readings().length >= from + 4, 'reordered');
    const order = seqs().slice(from);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(order.length);

    const badBefore = bad();
    await step({ kind: 'mqtt-malformed' }, 2);
    expect(bad() - badBefore).toBe(2);
  });

  it.skipIf(skip)('goes offline by its last will when the link drops, online when it returns', async () => {
    const n = statuses().length;
    injectFault(terminal, { kind: 'link-down', duration: 3600 });
    terminal.advanceTo(terminal.time);
    await until(() => statuses().slice(n).includes('offline'), 'will offline');
    const count = readings().length;
    terminal.advanceTo(terminal.time + 1800); // snapshots while down are lost
    terminal.advanceTo(terminal.time + 1800);
    await until(() => statuses().slice(n).at(-1) === 'online', 'online again');
    expect(readings().length).toBe(count);
    const last: ReadingsMessage[] = [];
    terminal.advanceTo(terminal.time + 900);
    await until(() => readings().length > count, 'readings resume');
    last.push(ReadingsPayload.parse(JSON.parse(readings().at(-1)!.text)));
    expect(last[0]!.time).toBe(terminal.time);
  });
});

describe('MQTT terminal across a broker restart', () => {
  it('dials again, says online again and goes on pushing', async () => {
    // A broker of its own on a fixed port, stopped and started again on it.
    const open = async (port = 0) => {
      const b = (Aedes as unknown as { createBroker(): { handle: (s: net.Socket) => void; close(cb: () => void): void } }).createBroker();
      const sockets = new Set<net.Socket>();
      const server = net.createServer((s) => (sockets.add(s), s.once('close', () => sockets.delete(s)), b.handle(s)));
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      const close = async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
        await new Promise<void>((r) => b.close(() => r()));
      };
      return { port: (server.address() as net.AddressInfo).port, close };
    };
    let broker = await open();
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const start = at('2024-06-01T00:00:00Z');
    const id = `sim-restart-${randomUUID().slice(0, 8)}`;
    const terminal = terminalWith(1, start, 9, id);
    const topics = terminalTopics(id);
    const got: { topic: string; text: string }[] = [];
    const sub = await mqtt.connectAsync(url, { reconnectPeriod: 100 });
    sub.on('message', (topic, payload) => got.push({ topic, text: payload.toString() }));
    await sub.subscribeAsync(`meterflow/v1/${id}/#`, { qos: 1 });
    const pub = new MqttTerminal(terminal, { url, reconnectMs: 100 });
    try {
      await pub.start();
      await until(() => got.some((m) => m.topic === topics.status && m.text === 'online'), 'online');
      await broker.close();
      broker = await open(broker.port);
      got.length = 0;
      // The subscriber dials again too and gets the retained status the terminal published anew.
      await until(() => got.some((m) => m.topic === topics.status && m.text === 'online'), 'online after the restart', 10_000);
      terminal.advanceTo(start + 900);
      await until(() => got.some((m) => m.topic === topics.readings), 'a snapshot after the restart', 10_000);
      expect(ReadingsPayload.parse(JSON.parse(got.find((m) => m.topic === topics.readings)!.text)).time).toBe(start + 900);
    } finally {
      await pub.stop();
      await sub.endAsync(true);
      await broker.close();
    }
  });
});
