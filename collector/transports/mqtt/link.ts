/**
 * MQTT transport: takes terminals' pushed snapshots, follows their retained status and last
 * will, asks for history and collects the chunked answer. Several collectors split terminals by
 * a shared subscription (`$share/<group>/…`).
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { z } from 'zod';
import {
  eventSchema,
  historyChunkSchema,
  parseStatus,
  snapshotSchema,
  type HistoryChunk,
  type HistoryRecord,
  type Snapshot,
  type TerminalEvent,
} from './payload.ts';

/** Topic root of protocol version 1. */
export const TOPIC_ROOT = 'meterflow/v1';

/** Settings of the MQTT link. */
export interface MqttLinkOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  /** Client id (random by default). */
  clientId?: string;
  /** Shared-subscription group: collectors in one group split the terminals' pushes. */
  shareGroup?: string;
  /** Terminals to follow; all (`+`) when omitted. */
  terminals?: string[];
  /** Wait this long for the next history chunk before giving up, ms (default 10000). */
  historyTimeoutMs?: number;
  /** Username/password, when the broker asks. */
  username?: string;
  /** Password. */
  password?: string;
}

/** A payload that failed validation: counted and logged, never fatal. */
export interface InvalidMessage {
  /** Topic it came on. */
  topic: string;
  /** Terminal named by the topic. */
  terminal: string;
  /** What was wrong (zod issues or JSON syntax). */
  error: string;
}

/** The answer to a history request. */
export interface HistoryAnswer {
  /** Every record received, in arrival order. */
  records: HistoryRecord[];
  /** Chunks received. */
  chunks: number;
}

/** Raised when a history answer stops arriving or the terminal reports an error. */
export class HistoryError extends Error {
  /** Records received before the failure. */
  readonly partial: HistoryRecord[];
  /** Build with the terminal, the request id, the reason and what arrived. */
  constructor(terminal: string, requestId: string, reason: string, partial: HistoryRecord[]) {
    super(`terminal ${terminal} history request ${requestId}: ${reason}`);
    this.name = 'HistoryError';
    this.partial = partial;
  }
}

/** The push interface: what a pushing transport offers the collector. */
export interface PushTransport {
  /** Called for each valid snapshot. */
  onSnapshot(handler: (s: Snapshot) => void): void;
  /** Called when a terminal's status changes (retained status / last will). */
  onStatus(handler: (terminal: string, status: 'online' | 'offline') => void): void;
  /** Called for each terminal event (power-down, power-up, …). */
  onEvent(handler: (terminal: string, e: TerminalEvent) => void): void;
  /** Called for each malformed payload. */
  onInvalid(handler: (m: InvalidMessage) => void): void;
  /** Last known status of a terminal. */
  status(terminal: string): 'online' | 'offline' | 'unknown';
  /** Ask a terminal for its stored records in [from, to] and collect every chunk. */
  requestHistory(terminal: string, from: Date, to: Date, unitIds?: number[]): Promise<HistoryAnswer>;
  /** Disconnect. */
  close(): Promise<void>;
}

/** Socket errors of a broker that is not there (yet). */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

/**
 * Whether `err` says the broker is not there (yet): unreachable, gone, or silent until mqtt.js
 * times out (those errors carry no code). Anything else needs the operator: a refused login (a
 * CONNACK reason code) or a connection that cannot work as configured (a TLS certificate).
 */
function brokerAway(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === undefined || (typeof code === 'string' && SOCKET_ERRORS.has(code));
}

/** Whether `err` is the broker's refusal in a CONNACK (a reason code): mqtt.js stops dialling then. */
function refusedConnack(err: Error): boolean {
  return typeof (err as { code?: unknown }).code === 'number';
}

function connectOptions(options: MqttLinkOptions): mqtt.IClientOptions {
  return {
    clientId: options.clientId ?? `meterflow-collector-${randomUUID().slice(0, 8)}`,
    protocolVersion: 5, // fallBackTo311 steps down for a broker that refuses it
    clean: true,
    reconnectPeriod: 1000,
    username: options.username,
    password: options.password,
  };
}

/** Whether `err` is a broker refusing MQTT 5 (brokers without it, e.g. the embedded aedes). */
function refusesMqtt5(err: Error): boolean {
  return /protocol version/i.test(err.message);
}

/**
 * Speak MQTT 3.1.1 from now on when `err` is a refusal of MQTT 5, and dial again: mqtt.js stops
 * dialling after a refused connection. True when it did, false for any other error.
 */
function fallBackTo311(client: MqttClient, err: Error): boolean {
  if (client.options.protocolVersion !== 5 || !refusesMqtt5(err)) return false;
  client.options.protocolVersion = 4;
  // Not a client closed meanwhile: reconnect() would bring it back to life.
  setTimeout(() => !client.disconnecting && !client.disconnected && client.reconnect(), 0);
  return true;
}

/**
 * Until a broker first answers, try MQTT 5 and 3.1.1 by turns after each connection it closes
 * with no answer at all: some brokers without MQTT 5 (older RabbitMQ MQTT plugins) drop such a
 * CONNECT instead of refusing it. A refused or failed dial changes nothing; once a version is
 * answered, the client keeps it (the link uses nothing MQTT 5 alone has).
 */
function alternateUntilAnswered(client: MqttClient): void {
  let heard = false, failed = false, settled = false;
  client.on('packetreceive', (p) => p.cmd === 'connack' && (heard = true));
  client.on('error', () => (failed = true));
  client.on('connect', () => (settled = true));
  client.on('close', () => {
    if (!heard && !failed && !settled) client.options.protocolVersion = client.options.protocolVersion === 5 ? 4 : 5;
    heard = failed = false;
  });
}

type Handlers = {
  snapshot: ((s: Snapshot) => void)[];
  status: ((t: string, s: 'online' | 'offline') => void)[];
  event: ((t: string, e: TerminalEvent) => void)[];
  invalid: ((m: InvalidMessage) => void)[];
  error: ((e: Error) => void)[];
};

/** An MQTT connection implementing {@link PushTransport}. */
export class MqttLink implements PushTransport {
  private readonly handlers: Handlers = { snapshot: [], status: [], event: [], invalid: [], error: [] };
  private readonly statuses = new Map<string, 'online' | 'offline'>();
  private readonly waiting = new Map<string, (chunk: HistoryChunk) => void>();
  /** Counters: valid and invalid messages. */
  readonly stats = { snapshots: 0, events: 0, invalid: 0, historyChunks: 0 };

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MqttLinkOptions,
  ) {
    client.on('message', (topic, payload) => {
      try {
        this.dispatch(topic, payload);
      } catch (e) {
        // A consumer's handler failed: report it as an invalid message rather than crash the daemon.
        this.invalid(topic, topic.split('/')[2] ?? '', `handler failed: ${(e as Error)?.message ?? e}`);
      }
    });
    // The client dials on by itself after any error but a refused CONNACK, so those repeat every
    // dial: told once per outage. A refusal (credentials changed, say) stops it for good: told
    // every time.
    let lost = false;
    client.on('connect', () => (lost = false));
    client.on('error', (err) => {
      if (refusesMqtt5(err)) return;
      if (!refusedConnack(err)) {
        if (lost) return;
        lost = true;
      }
      for (const h of this.handlers.error) h(err);
    });
  }

  /** Connect and subscribe to readings, events (shared when a group is set) and status. */
  static async connect(options: MqttLinkOptions): Promise<MqttLink> {
    const client = mqtt.connect(options.url, connectOptions(options));
    alternateUntilAnswered(client);
    // One error listener for the client's whole life, so a refusal of MQTT 5 falls back the same
    // way on the first attempt and on any later one (a broker that answers only after the start).
    const answered = await new Promise<boolean>((resolve, reject) => {
      let pending = true;
      let steppingDown = false;
      // The broker does not answer yet: the collector starts anyway (its Modbus terminals need no
      // broker) and this client dials on by itself, subscribing once it is through.
      const startWithout = (): void => {
        pending = false;
        resolve(false);
      };
      client.once('connect', () => {
        pending = false;
        resolve(true);
      });
      client.on('error', (err) => {
        if (fallBackTo311(client, err)) steppingDown = true;
        if (steppingDown || !pending) return;
        if (brokerAway(err)) startWithout();
        else {
          pending = false;
          client.end();
          reject(err);
        }
      });
      // A connection closed with neither an answer nor a socket error (a proxy whose broker is not
      // up yet) would otherwise leave the start waiting for good. The close of the attempt that
      // was refused MQTT 5 is not one: its 3.1.1 retry follows.
      client.on('close', () => {
        if (steppingDown) steppingDown = false;
        else if (pending) startWithout();
      });
    });
    const link = new MqttLink(client, options);
    const terminals = options.terminals?.length ? options.terminals : ['+'];
    const share = (t: string): string => (options.shareGroup ? `$share/${options.shareGroup}/${t}` : t);
    const topics = terminals.flatMap((t) => [
      share(`${TOPIC_ROOT}/${t}/readings`),
      share(`${TOPIC_ROOT}/${t}/events`),
      `${TOPIC_ROOT}/${t}/status`, // retained: never shared, every collector needs every status
    ]);
    if (answered) await client.subscribeAsync(topics, { qos: 1 });
    else client.once('connect', () => client.subscribe(topics, { qos: 1 }));
    return link;
  }

  /** {@inheritDoc PushTransport.onSnapshot} */
  onSnapshot(handler: (s: Snapshot) => void): void {
    this.handlers.snapshot.push(handler);
  }
  /** {@inheritDoc PushTransport.onStatus} */
  onStatus(handler: (terminal: string, status: 'online' | 'offline') => void): void {
    this.handlers.status.push(handler);
  }
  /** {@inheritDoc PushTransport.onEvent} */
  onEvent(handler: (terminal: string, e: TerminalEvent) => void): void {
    this.handlers.event.push(handler);
  }
  /** {@inheritDoc PushTransport.onInvalid} */
  onInvalid(handler: (m: InvalidMessage) => void): void {
    this.handlers.invalid.push(handler);
  }

  /**
   * Called for each connection error after the start, e.g. a broker that now refuses the
   * credentials (the client stops dialling then) or one that went away (it dials on).
   */
  onError(handler: (e: Error) => void): void {
    this.handlers.error.push(handler);
  }

  /** {@inheritDoc PushTransport.status} */
  status(terminal: string): 'online' | 'offline' | 'unknown' {
    return this.statuses.get(terminal) ?? 'unknown';
  }

  /** {@inheritDoc PushTransport.requestHistory} */
  async requestHistory(terminal: string, from: Date, to: Date, unitIds?: number[]): Promise<HistoryAnswer> {
    const requestId = randomUUID();
    const topic = `${TOPIC_ROOT}/${terminal}/history/response/${requestId}`;
    const timeoutMs = this.options.historyTimeoutMs ?? 10_000;
    const chunks = new Map<number, HistoryChunk>();
    const collected = (): HistoryRecord[] => [...chunks.keys()].sort((a, b) => a - b).flatMap((k) => chunks.get(k)!.records);
    const done = new Promise<HistoryAnswer>((resolve, reject) => {
      let lastSeq: number | undefined;
      let timer: NodeJS.Timeout;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.waiting.delete(requestId);
          reject(new HistoryError(terminal, requestId, `no chunk for ${timeoutMs} ms (${chunks.size} received)`, collected()));
        }, timeoutMs);
      };
      arm();
      this.waiting.set(requestId, (chunk) => {
        arm();
        chunks.set(chunk.seq, chunk);
        if (chunk.last) lastSeq = chunk.seq;
        if (chunk.error !== undefined) {
          clearTimeout(timer);
          this.waiting.delete(requestId);
          reject(new HistoryError(terminal, requestId, `terminal says: ${chunk.error}`, collected()));
          return;
        }
        if (lastSeq !== undefined && chunks.size === lastSeq + 1) {
          clearTimeout(timer);
          this.waiting.delete(requestId);
          resolve({ records: collected(), chunks: chunks.size });
        }
      });
    });
    done.catch(() => undefined);
    try {
      await this.client.subscribeAsync(topic, { qos: 1 });
      const request = { requestId, from: Math.floor(from.getTime() / 1000), to: Math.floor(to.getTime() / 1000), ...(unitIds ? { units: unitIds } : {}) };
      await this.client.publishAsync(`${TOPIC_ROOT}/${terminal}/history/request`, JSON.stringify(request), { qos: 1 });
      return await done;
    } finally {
      this.waiting.delete(requestId);
      await this.client.unsubscribeAsync(topic).catch(() => undefined);
    }
  }

  private dispatch(topic: string, payload: Buffer): void {
    const parts = topic.split('/');
    const terminal = parts[2] ?? '';
    const kind = parts.slice(3).join('/');
    if (kind === 'status') {
      const s = parseStatus(payload);
      if (!s) return this.invalid(topic, terminal, `status payload ${JSON.stringify(payload.toString().slice(0, 40))}`);
      if (this.statuses.get(terminal) === s) return;
      this.statuses.set(terminal, s);
      for (const h of this.handlers.status) h(terminal, s);
    } else if (kind === 'readings') {
      const s = this.parse(topic, terminal, payload, snapshotSchema);
      if (!s) return;
      if (s.terminal !== undefined && s.terminal !== terminal) return this.invalid(topic, terminal, `payload names terminal ${s.terminal}`);
      this.stats.snapshots++;
      for (const h of this.handlers.snapshot) h({ ...s, terminal });
    } else if (kind === 'events') {
      const e = this.parse(topic, terminal, payload, eventSchema);
      if (!e) return;
      this.stats.events++;
      for (const h of this.handlers.event) h(terminal, e);
    } else if (kind.startsWith('history/response/')) {
      const c = this.parse(topic, terminal, payload, historyChunkSchema);
      if (!c) return;
      this.stats.historyChunks++;
      this.waiting.get(c.requestId)?.(c);
    }
  }

  private parse<S extends z.ZodType>(topic: string, terminal: string, payload: Buffer, schema: S): z.output<S> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      this.invalid(topic, terminal, `not JSON: ${(e as Error).message}`);
      return undefined;
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    this.invalid(topic, terminal, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return undefined;
  }

  private invalid(topic: string, terminal: string, error: string): void {
    this.stats.invalid++;
    for (const h of this.handlers.invalid) h({ topic, terminal, error });
  }

  /** {@inheritDoc PushTransport.close} */
  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
