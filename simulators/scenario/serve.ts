/** Serving terminals on the transports a scenario (or recording) declares. */
import { ModbusRtuSlave, openPtyPair, type PtyPair } from '../modbus-rtu/index.ts';
import { ModbusTcpServer } from '../modbus-tcp/index.ts';
import { MqttTerminal } from '../mqtt/index.ts';
import type { Terminal } from '../terminal/index.ts';
import type { TransportSpec } from './build.ts';

/** Where a collector reaches one terminal. */
export interface Endpoint {
  terminal: string;
  modbusTcp?: { host: string; port: number };
  /** The device the collector opens (the other end of the pty when the simulator made one). */
  modbusRtu?: { path: string; baud: number; parity: string };
  mqtt?: { url: string; prefix: string };
}

/** Running transports. */
export interface Served {
  endpoints: Endpoint[];
  stop(): Promise<void>;
}

/** Options overriding what the file says. */
export interface ServeOptions {
  /** Broker for terminals with an `mqtt` transport that names no URL. */
  mqttUrl?: string;
}

/** Start every declared transport of every terminal. */
export async function serveTerminals(terminals: Terminal[], transports: Map<string, TransportSpec>, opts: ServeOptions = {}): Promise<Served> {
  const stops: (() => Promise<void>)[] = [];
  const endpoints: Endpoint[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    for (const t of terminals) {
      const spec = transports.get(t.id);
      if (!spec) continue;
      const ep: Endpoint = { terminal: t.id };
      if (spec.modbusTcp) {
        const srv = new ModbusTcpServer(t, spec.modbusTcp);
        const port = await srv.start();
        stops.push(() => srv.stop());
        ep.modbusTcp = { host: spec.modbusTcp.host ?? '127.0.0.1', port };
      }
      if (spec.modbusRtu) {
        let path = spec.modbusRtu.path;
        let collectorPath = path;
        if (!path || spec.modbusRtu.pty) {
          const pair: PtyPair = await openPtyPair();
          stops.push(() => pair.close());
          path = pair.a;
          collectorPath = pair.b;
        }
        const slave = new ModbusRtuSlave(t, { ...spec.modbusRtu, path });
        await slave.start();
        stops.push(() => slave.stop());
        ep.modbusRtu = { path: collectorPath!, baud: slave.baud, parity: spec.modbusRtu.parity ?? 'none' };
      }
      if (spec.mqtt) {
        const url = spec.mqtt.url ?? opts.mqttUrl ?? 'mqtt://127.0.0.1:1883';
        const m = new MqttTerminal(t, { url, ...(spec.mqtt.prefix ? { prefix: spec.mqtt.prefix } : {}), ...(spec.mqtt.chunkSize ? { chunkSize: spec.mqtt.chunkSize } : {}) });
        await m.start();
        stops.push(() => m.stop());
        ep.mqtt = { url, prefix: spec.mqtt.prefix ?? 'meterflow/v1' };
      }
      endpoints.push(ep);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoints, stop };
}
