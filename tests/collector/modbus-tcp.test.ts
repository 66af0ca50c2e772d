import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ModbusRTU from 'modbus-serial';
import {
  ConnectionError,
  FrameError,
  ModbusExceptionError,
  ModbusTcpTransport,
  TimeoutError,
  intervalEnds,
  readHistory,
  readMeter,
  simTerminalV1,
  tcpFrame,
} from '../../collector/index.ts';
import { simUnit, simWord, simWrite, type SimUnit } from './support/sim-image.ts';

const T0 = 1_735_689_600;
const units = new Map<number, SimUnit>([
  [1, simUnit(1, [T0, T0 + 900, T0 + 1800])],
  [2, simUnit(2)],
  [3, simUnit(3)],
]);

let server: InstanceType<typeof ModbusRTU.ServerTCP>;
const port = 15020 + (process.pid % 1000);

beforeAll(async () => {
  // modbus-serial's ServerTCP: an independent Modbus TCP slave serving the hand-built image.
  server = new ModbusRTU.ServerTCP(
    {
      getHoldingRegister: (addr: number, unitID: number) => {
        const u = units.get(unitID);
        const w = u && simWord(u, addr);
        if (w === undefined) throw { modbusErrorCode: 0x02, msg: 'illegal address' };
        return w;
      },
      setRegister: () => {
        throw { modbusErrorCode: 0x01, msg: 'single writes unsupported' };
      },
      setRegisterArray: (addr: number, values: number[], unitID: number) => {
        const u = units.get(unitID);
        if (!u || !simWrite(u, addr, values)) throw { modbusErrorCode: 0x02, msg: 'illegal address' };
      },
    },
    { host: '127.0.0.1', port, unitID: 255 },
  );
  await new Promise<void>((r) => server.on('initialized', () => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Modbus TCP transport against modbus-serial ServerTCP', () => {
  it('reads several unit ids behind one gateway', async () => {
    const t = new ModbusTcpTransport({ terminal: 'gw1', host: '127.0.0.1', port, maxInFlight: 2 });
    const [r1, r2, r3] = await Promise.all([1, 2, 3].map((u) => readMeter(t, simTerminalV1, u)));
    expect(r1!.values).toEqual(units.get(1)!.registers);
    expect(r2!.values).toEqual(units.get(2)!.registers);
    expect(r3!.values[19]).toBe(units.get(3)!.registers[19]);
    expect(r1!.instant).toMatchObject({ ua: 230, ia: 1, p: -1500, pf: 0.95 });
    expect(r1!.clock?.getTime()).toBe(T0 * 1000);
    expect(t.stats.ok).toBe(3);
    await t.close();
  });

  it('turns an exception response into a typed error naming terminal, unit and register', async () => {
    const t = new ModbusTcpTransport({ terminal: 'gw1', host: '127.0.0.1', port });
    const err = await t.readHolding(1, 300, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).exceptionCode).toBe(2);
    expect((err as Error).message).toMatch(/terminal gw1 unit 1 register 300/);
    // The connection stays usable.
    expect((await t.readHolding(2, 0, 2)).length).toBe(2);
    await t.close();
  });

  it('reads the load profile: select time at 136 (fn 16), record at 140..181', async () => {
    const t = new ModbusTcpTransport({ terminal: 'gw1', host: '127.0.0.1', port });
    const wanted = intervalEnds(new Date((T0 - 1800) * 1000), new Date((T0 + 2700) * 1000), 900);
    expect(wanted.length).toBe(5);
    const span = await readHistory(t, 1, simTerminalV1.loadProfile!, wanted);
    expect(span.records.map((r) => r.ts.getTime() / 1000)).toEqual([T0, T0 + 900, T0 + 1800]);
    expect(span.records[2]!.values).toEqual(units.get(1)!.records.get(T0 + 1800));
    expect(span.unavailable.map((d) => d.getTime() / 1000)).toEqual([T0 - 900, T0 + 2700]);
    await t.close();
  });
});

/** A raw gateway whose behaviour the test scripts frame by frame. */
async function rawGateway(onRequest: (s: Socket, req: Buffer) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('data', (d) => {
      for (let i = 0; i + 12 <= d.length; i += 12) onRequest(s, d.subarray(i, i + 12));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('Modbus TCP transport against a scripted gateway', () => {
  it('keeps at most maxInFlight requests outstanding and matches answers by transaction id', async () => {
    let peak = 0;
    const held: { s: Socket; req: Buffer }[] = [];
    const gw = await rawGateway((s, req) => {
      held.push({ s, req });
      peak = Math.max(peak, held.length);
      if (held.length === 2) {
        // Answer both, in reverse order.
        for (const h of held.splice(0).reverse()) {
          const tx = h.req.readUInt16BE(0);
          const addr = h.req.readUInt16BE(8);
          h.s.write(tcpFrame(tx, h.req[6]!, Buffer.from([3, 2, addr >> 8, addr & 0xff])));
        }
      }
    });
    const t = new ModbusTcpTransport({ terminal: 'gw2', host: '127.0.0.1', port: gw.port, maxInFlight: 2 });
    const got = await Promise.all([10, 11, 12, 13, 14, 15].map((a) => t.readHolding(1, a, 1)));
    expect(got.map((g) => g[0])).toEqual([10, 11, 12, 13, 14, 15]);
    expect(peak).toBe(2);
    await t.close();
    gw.server.close();
  });

  it('reports silence as a timeout, a broken stream as a bad frame, a refused connect as a link failure, and recovers', async () => {
    let mode: 'silent' | 'garbage' | 'ok' = 'silent';
    const gw = await rawGateway((s, req) => {
      if (mode === 'garbage') s.write(Buffer.from('0001beef0003010300', 'hex'));
      if (mode === 'ok') s.write(tcpFrame(req.readUInt16BE(0), req[6]!, Buffer.from([3, 2, 0, 42])));
    });
    const t = new ModbusTcpTransport({ terminal: 'gw3', host: '127.0.0.1', port: gw.port, timeoutMs: 200 });
    const e1 = await t.readHolding(4, 7, 1).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(TimeoutError);
    expect((e1 as Error).message).toMatch(/terminal gw3 unit 4 register 7/);
    mode = 'garbage';
    const e2 = await t.readHolding(4, 7, 1).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(FrameError);
    mode = 'ok';
    expect([...(await t.readHolding(4, 7, 1))]).toEqual([42]);
    expect(t.stats).toMatchObject({ timeouts: 1, badFrames: 1, ok: 1 });
    await t.close();
    await new Promise<void>((r) => gw.server.close(() => r()));

    const dead = new ModbusTcpTransport({ terminal: 'gw4', host: '127.0.0.1', port: gw.port });
    const e3 = await dead.readHolding(1, 0, 1).catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(ConnectionError);
    expect((e3 as Error).message).toMatch(/terminal gw4 unit 1 register 0/);
    await dead.close();
  });
});
