/** Building the transports a site config names: TCP gateways, shared RTU buses, one MQTT link. */
import type { SiteConfig, TerminalConfig } from '../config/index.ts';
import { ModbusRtuBus } from '../transports/modbus-rtu/index.ts';
import { ModbusTcpTransport } from '../transports/modbus-tcp/index.ts';
import { MqttLink } from '../transports/mqtt/index.ts';
import type { ModbusTransport } from '../transports/types.ts';

/** The open links of a site. */
export interface SiteLinks {
  /** Modbus transport per terminal id. */
  modbus: Map<string, ModbusTransport>;
  /** Queue key (bus path or gateway host:port) per terminal id. */
  queueOf: Map<string, string>;
  /** Requests in flight allowed per queue key. */
  concurrency: Map<string, number>;
  /** The MQTT link, when any terminal pushes. */
  mqtt: MqttLink | undefined;
}

/** Queue key of a Modbus terminal: one queue per serial bus or TCP gateway. */
export function queueKey(t: TerminalConfig): string {
  const tr = t.transport;
  if (tr.kind === 'modbus-rtu') return `rtu:${tr.path}`;
  if (tr.kind === 'modbus-tcp') return `tcp:${tr.host}:${tr.port}`;
  return `mqtt:${t.id}`;
}

/**
 * Open the links of `site` (Modbus links open lazily on first request). Terminals naming the
 * same serial path share one bus; `override` replaces a Modbus transport (tests, replay).
 */
export async function openLinks(site: SiteConfig, override?: (t: TerminalConfig) => ModbusTransport | undefined): Promise<SiteLinks> {
  const links: SiteLinks = { modbus: new Map(), queueOf: new Map(), concurrency: new Map(), mqtt: undefined };
  const buses = new Map<string, ModbusRtuBus>();
  const mqttTerminals: string[] = [];
  let mqttUrl = site.mqtt?.url;
  for (const t of site.terminals) {
    const tr = t.transport;
    links.queueOf.set(t.id, queueKey(t));
    if (tr.kind === 'mqtt') {
      mqttTerminals.push(t.id);
      mqttUrl ??= tr.url;
      continue;
    }
    const custom = override?.(t);
    if (custom) links.modbus.set(t.id, custom);
    else if (tr.kind === 'modbus-tcp') {
      const { host, port, timeoutMs, connectTimeoutMs, maxInFlight } = tr;
      links.modbus.set(t.id, new ModbusTcpTransport({ terminal: t.id, host, port, timeoutMs, connectTimeoutMs, maxInFlight }));
      links.concurrency.set(queueKey(t), Math.max(links.concurrency.get(queueKey(t)) ?? 1, maxInFlight));
    } else {
      let bus = buses.get(tr.path);
      if (!bus) {
        const { path, baudRate, parity, stopBits, timeoutMs, interFrameMs } = tr;
        buses.set(path, (bus = new ModbusRtuBus({ path, baudRate, parity, stopBits, timeoutMs, ...(interFrameMs ? { interFrameMs } : {}) })));
      }
      links.modbus.set(t.id, bus.terminal(t.id));
    }
  }
  if (mqttTerminals.length > 0 && mqttUrl) {
    const timeouts = site.terminals.flatMap((t) => (t.transport.kind === 'mqtt' ? [t.transport.historyTimeoutMs] : []));
    links.mqtt = await MqttLink.connect({
      url: mqttUrl,
      terminals: mqttTerminals,
      historyTimeoutMs: Math.max(...timeouts),
      ...(site.mqtt?.shareGroup ? { shareGroup: site.mqtt.shareGroup } : {}),
    });
  }
  return links;
}
