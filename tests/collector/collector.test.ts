import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import ModbusRTU from 'modbus-serial';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector, parseSiteConfig, type AcquisitionLogEntry, type ReadingRow, type ReadingSink } from '../../collector/index.ts';
import { REGISTER_CODES } from '../../schema/registers.ts';
import { ptyPair, type PtyPair } from './support/pty.ts';
import { RtuResponder } from './support/rtu-responder.ts';
import { simUnit, simWord, simWrite, type SimUnit } from './support/sim-image.ts';

const URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const T0 = 1_735_689_600;
const tag = randomUUID().slice(0, 8);
const tcpUnits = new Map<number, SimUnit>([
  [1, simUnit(1, [T0, T0 + 900, T0 + 1800])],
  [2, simUnit(2)],
]);
const rtuUnits = new Map<number, SimUnit>([[7, simUnit(7)]]);
const port = 16020 + (process.pid % 1000);

class MemorySink implements ReadingSink {
  rows: ReadingRow[] = [];
  async write(rows: readonly ReadingRow[]): Promise<void> {
    this.rows.push(...rows);
  }
}
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
};

let server: InstanceType<typeof ModbusRTU.ServerTCP>;
let pty: PtyPair;
let responder: RtuResponder;
let dir: string;
let collector: Collector;
const sink = new MemorySink();
const log: AcquisitionLogEntry[] = [];
const back: string[] = [];
const mqttTerminal = `pv-${tag}`;

beforeAll(async () => {
  server = new ModbusRTU.ServerTCP(
    {
      getHoldingRegister: (addr: number, unitID: number) => {
        const u = tcpUnits.get(unitID);
        const w = u && simWord(u, addr);
        if (w === undefined) throw { modbusErrorCode: 2 };
        return w;
      },
      setRegisterArray: (addr: number, values: number[], unitID: number) => {
        const u = tcpUnits.get(unitID);
        if (!u || !simWrite(u, addr, values)) throw { modbusErrorCode: 2 };
      },
    },
    { host: '127.0.0.1', port, unitID: 255 },
  );
  await new Promise<void>((r) => server.on('initialized', () => r()));
  pty = await ptyPair();
  responder = new RtuResponder(pty.b, rtuUnits);
  dir = await mkdtemp(join(tmpdir(), 'meterflow-collector-'));
  const site = parseSiteConfig(`
site: test-site
intervalSeconds: 1
offsetSeconds: 0
timeoutMs: 2000
retries: 0
breaker: { failureThreshold: 2, cooldownMs: 600000 }
spool: { path: ${join(dir, 'c.spool')} }
mqtt: { url: ${URL} }
terminals:
  - id: gw-${tag}
    profile: sim-terminal-v1
    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${port}, maxInFlight: 2 }
    meters: [{ unitId: 1, point: f11 }, { unitId: 2, point: f12 }]
  - id: bus-${tag}
    profile: sim-terminal-v1
    transport: { kind: modbus-rtu, path: ${pty.a}, timeoutMs: 500 }
    maxGap: 0
    meters: [{ unitId: 7, point: lv7 }]
  - id: dead-${tag}
    profile: sim-terminal-v1
    transport: { kind: modbus-tcp, host: 127.0.0.1, port: 1, connectTimeoutMs: 500 }
    meters: [{ unitId: 1, point: dead1 }]
  - id: ${mqttTerminal}
    profile: sim-terminal-v1
    transport: { kind: mqtt, historyTimeoutMs: 2000 }
    meters: [{ unitId: 1, point: pv1 }]
`);
  collector = await Collector.start(site, { sink, onLog: (e) => log.push(e), onTerminalBack: (t, why) => back.push(`${t}: ${why}`) });
});
afterAll(async () => {
  await collector?.stop();
  await responder.close();
  pty.close();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('collector', () => {
  it('polls TCP and RTU terminals at aligned intervals while a dead terminal is cut off by its breaker', async () => {
    await until(() => ['f11', 'f12', 'lv7'].every((p) => sink.rows.some((r) => r.pointId === p && r.source === 'poll')));
    await until(() => log.filter((e) => e.terminal === `dead-${tag}` && e.errorKind === 'circuit-open').length > 0);
    const f11 = sink.rows.find((r) => r.pointId === 'f11')!;
    expect(f11.values).toEqual(tcpUnits.get(1)!.registers);
    expect(f11.ts.getTime() % 1000).toBe(0); // stamped with the interval end
    expect(sink.rows.find((r) => r.pointId === 'lv7')!.values).toEqual(rtuUnits.get(7)!.registers);
    const deadErrors = log.filter((e) => e.terminal === `dead-${tag}` && !e.ok);
    expect(deadErrors[0]!.errorKind).toBe('connection');
    expect(deadErrors[0]!.error).toMatch(new RegExp(`terminal dead-${tag} unit 1 register 0`));
    const h = collector.healthSnapshot();
    expect(h.terminals.find((t) => t.id === `dead-${tag}`)).toMatchObject({ online: false, breaker: 'open' });
    expect(h.terminals.find((t) => t.id === `gw-${tag}`)).toMatchObject({ online: true, breaker: 'closed' });
    expect(sink.rows.some((r) => r.pointId === 'dead1')).toBe(false);
    expect(responder.overlaps).toBe(0);
  });

  it('reads a point on demand without writing it', async () => {
    const before = sink.rows.length;
    const [r] = await collector.readNow('f12');
    expect(r!.reading!.values).toEqual(tcpUnits.get(2)!.registers);
    expect(r!.reading!.instant.ua).toBe(230);
    const all = await collector.readNow(`gw-${tag}`);
    expect(all.map((x) => x.point)).toEqual(['f11', 'f12']);
    expect(sink.rows.slice(before).every((row) => row.source === 'poll')).toBe(true);
  });

  it('backfills from the Modbus load profile and reports what the terminal does not hold', async () => {
    const wanted = [T0 - 900, T0, T0 + 900, T0 + 1800, T0 + 2700].map((s) => new Date(s * 1000));
    const result = await collector.backfill('f11', wanted);
    expect(result.written).toBe(3);
    expect(result.unavailable.map((d) => d.getTime() / 1000)).toEqual([T0 - 900, T0 + 2700]);
    await collector.drained();
    const rows = sink.rows.filter((r) => r.source === 'backfill' && r.pointId === 'f11');
    expect(rows.map((r) => r.ts.getTime() / 1000)).toEqual([T0, T0 + 900, T0 + 1800]);
    expect(rows[0]!.values).toEqual(tcpUnits.get(1)!.records.get(T0));
  });

  it('takes MQTT pushes, logs malformed ones, follows status, and backfills by history request', async () => {
    const terminal = await mqtt.connectAsync(URL, { will: { topic: `meterflow/v1/${mqttTerminal}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 } });
    const named = (base: number) => Object.fromEntries(REGISTER_CODES.map((c, i) => [c, base + i]));
    await terminal.subscribeAsync(`meterflow/v1/${mqttTerminal}/history/request`, { qos: 1 });
    terminal.on('message', (_t, p) => {
      const req = JSON.parse(p.toString()) as { requestId: string; from: number; to: number; units: number[] };
      const records = [req.from, req.from + 900].map((time) => ({ unit: 1, time, registers: named(time % 10_000) }));
      void terminal.publishAsync(
        `meterflow/v1/${mqttTerminal}/history/response/${req.requestId}`,
        JSON.stringify({ schema: 'meterflow.history.v1', terminal: mqttTerminal, requestId: req.requestId, chunk: 0, last: true, records }),
      );
    });
    await terminal.publishAsync(`meterflow/v1/${mqttTerminal}/status`, 'online', { retain: true, qos: 1 });
    const snap = { schema: 'meterflow.readings.v1', terminal: mqttTerminal, seq: 1, time: T0, meters: [{ unit: 1, registers: named(500) }, { unit: 9, registers: named(1) }] };
    await terminal.publishAsync(`meterflow/v1/${mqttTerminal}/readings`, JSON.stringify(snap), { qos: 1 });
    await terminal.publishAsync(`meterflow/v1/${mqttTerminal}/readings`, '{"schema":"meterflow.readings.v1"', { qos: 1 });
    await until(() => sink.rows.some((r) => r.pointId === 'pv1' && r.source === 'push'));
    await until(() => log.some((e) => e.errorKind === 'invalid-payload'));
    expect(sink.rows.find((r) => r.pointId === 'pv1')!.values).toEqual(Array.from({ length: 20 }, (_, i) => 500 + i));
    expect(back).toContain(`${mqttTerminal}: status online`);

    const wanted = [T0, T0 + 900, T0 + 1800].map((s) => new Date(s * 1000));
    const result = await collector.backfill('pv1', wanted);
    expect(result).toEqual({ written: 2, unavailable: [new Date((T0 + 1800) * 1000)] });

    terminal.stream.destroy(); // the broker publishes the last will
    await until(() => collector.healthSnapshot().terminals.find((t) => t.id === mqttTerminal)!.online === false);
    const c = await mqtt.connectAsync(URL);
    await c.publishAsync(`meterflow/v1/${mqttTerminal}/status`, '', { retain: true });
    await c.endAsync();
  });

  it('reports health: queues, spool, writer, rates and error counts', async () => {
    await collector.drained();
    const h = collector.healthSnapshot();
    expect(h.site).toBe('test-site');
    expect(h.spool.pendingBytes).toBe(0);
    expect(h.writer.written).toBe(sink.rows.length);
    expect(h.readingsPerSecond).toBeGreaterThan(0);
    expect(h.errors['circuit-open']).toBeGreaterThan(0);
    expect(Object.keys(h.queues)).toContain(`tcp:127.0.0.1:${port}`);
  });
});
