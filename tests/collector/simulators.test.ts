/**
 * The collector against the other engineer's simulators (simulators/index.ts): the same
 * `sim-terminal-v1` contract read from both sides, on Modbus TCP, Modbus RTU (pty) and MQTT.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ModbusRtuBus,
  ModbusTcpTransport,
  MqttLink,
  intervalEnds,
  readHistory,
  readMeter,
  simTerminalV1,
  type Snapshot,
} from '../../collector/index.ts';
import {
  Meter,
  ModbusRtuSlave,
  ModbusTcpServer,
  MqttTerminal,
  ProfileLoad,
  TariffCalendar,
  Terminal,
  openPtyPair,
  zoneOf,
  type PtyPair,
} from '../../simulators/index.ts';

const URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const START = Date.parse('2025-01-01T00:00:00Z') / 1000;

function terminal(id: string, n: number): Terminal {
  const t = new Terminal(id, START, 900);
  for (let u = 1; u <= n; u++) {
    const zone = zoneOf('UTC');
    const cfg = {
      serial: `SN-${u}`,
      seed: 100 + u,
      load: new ProfileLoad({ kind: 'profile', shape: 'residential', peakKw: 20 * u }, 100 + u, zone, 60),
      tariff: new TariffCalendar(),
      zone,
      start: START,
    };
    t.addMeter({ unit: u, name: `m${u}`, meter: new Meter(cfg), config: cfg });
  }
  return t;
}

describe('collector against simulators/', () => {
  let tcp: ModbusTcpServer;
  const term = terminal(`sim-${randomUUID().slice(0, 6)}`, 3);

  beforeAll(async () => {
    term.advanceTo(START + 4 * 3600);
    tcp = new ModbusTcpServer(term);
    await tcp.start();
  });
  afterAll(async () => {
    await tcp.stop();
  });

  it('Modbus TCP: live registers and the load profile match the simulated meters', async () => {
    const t = new ModbusTcpTransport({ terminal: term.id, host: '127.0.0.1', port: tcp.port, maxInFlight: 2 });
    for (const u of [1, 2, 3]) {
      const r = await readMeter(t, simTerminalV1, u);
      const truth = term.slot(u)!.meter.reading();
      expect(r.values).toEqual(truth.registers);
      expect(r.clock?.getTime()).toBe(truth.clock * 1000);
      expect(r.instant.ua).toBeCloseTo(truth.voltage[0]! / 100, 6);
    }
    const wanted = intervalEnds(new Date((START + 3600) * 1000), new Date((START + 3 * 3600) * 1000), 900);
    const span = await readHistory(t, 2, simTerminalV1.loadProfile!, wanted);
    expect(span.unavailable).toEqual([]);
    for (const rec of span.records) expect(rec.values).toEqual(term.slot(2)!.meter.profile.find(rec.ts.getTime() / 1000)!.registers);
    expect(span.records.length).toBe(8);
    // Unit 9 sits behind no meter: the gateway answers an exception, named and typed.
    await expect(t.readHolding(9, 0, 2)).rejects.toThrow(new RegExp(`terminal ${term.id} unit 9 register 0`));
    await t.close();
  });

  it('Modbus RTU over a pty: the simulator slave answers the collector bus', async () => {
    const pty: PtyPair = await openPtyPair();
    const slave = new ModbusRtuSlave(term, { path: pty.a, baud: 38400, parity: 'none', wireTime: false });
    await slave.start();
    const bus = new ModbusRtuBus({ path: pty.b, baudRate: 38400, parity: 'none', timeoutMs: 1000 });
    const t = bus.terminal(term.id);
    try {
      const r = await readMeter(t, simTerminalV1, 3);
      expect(r.values).toEqual(term.slot(3)!.meter.reading().registers);
    } finally {
      await t.close();
      await (slave as unknown as { stop(): Promise<void> }).stop();
      await pty.close();
    }
  });

  it('MQTT: pushed snapshots and history answers parse into the simulated values', async () => {
    const mt = terminal(`simq-${randomUUID().slice(0, 6)}`, 2);
    const link = await MqttLink.connect({ url: URL, terminals: [mt.id] });
    const pub = new MqttTerminal(mt, { url: URL, chunkSize: 3 });
    const got: Snapshot[] = [];
    const invalid: string[] = [];
    link.onSnapshot((s) => got.push(s));
    link.onInvalid((m) => invalid.push(m.error));
    try {
      await pub.start();
      while (link.status(mt.id) !== 'online') await new Promise((r) => setTimeout(r, 10));
      // One boundary at a time: the simulator batches the intervals of one tick into one snapshot.
      for (let k = 1; k <= 4; k++) {
        mt.advanceTo(START + k * 900);
        while (got.length < k) await new Promise((r) => setTimeout(r, 10));
      }
      while (got.length < 4) await new Promise((r) => setTimeout(r, 10));
      expect(invalid).toEqual([]);
      const last = got.at(-1)!;
      expect(last.ts.getTime() / 1000).toBe(START + 3600);
      expect(last.meters.map((m) => m.registers)).toEqual([1, 2].map((u) => mt.slot(u)!.meter.profile.find(START + 3600)!.registers));
      const answer = await link.requestHistory(mt.id, new Date(START * 1000), new Date((START + 3600) * 1000), [2]);
      expect(answer.chunks).toBeGreaterThan(1);
      expect(answer.records.map((r) => r.registers)).toEqual(mt.slot(2)!.meter.profile.range(START, START + 3600).map((p) => p.registers));
    } finally {
      await pub.stop();
      await link.close();
      const { default: mqtt } = await import('mqtt');
      const c = await mqtt.connectAsync(URL);
      await c.publishAsync(`meterflow/v1/${mt.id}/status`, '', { retain: true });
      await c.endAsync();
    }
  });
});
