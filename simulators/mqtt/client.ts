/**
 * MQTT side of a terminal: pushes a readings snapshot of every meter at each interval boundary,
 * answers history requests from the meters' load-profile memories in chunks, publishes events,
 * and keeps a retained `status` (`online`, last will `offline`). Wire faults: link down drops the
 * connection without DISCONNECT (so the broker fires the will), duplicate / out-of-order /
 * malformed readings messages.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Terminal, TerminalEvent } from '../terminal/index.ts';
import { build, type Outgoing } from './messages.ts';
import { HistoryRequestPayload, terminalTopics, type EventMessage } from './payloads.ts';

/** Broker and behaviour of the MQTT terminal. */
export interface MqttTerminalOptions {
  url: string;
  prefix?: string;
  clientId?: string;
  /** Records per history response chunk unless the request says otherwise. */
  chunkSize?: number;
  qos?: 0 | 1;
  /** Wait before dialling the broker again after the connection dropped, ms (default 1000). */
  reconnectMs?: number;
}

/** A terminal publishing over MQTT. */
export class MqttTerminal {
  private client: MqttClient | undefined;
  private readonly topics;
  private seq = 0;
  private eventSeq = 0;
  private pending: Extract<TerminalEvent, { type: 'interval' }>[] = [];
  private held: Outgoing | undefined;
  private fate = { malformed: false, outOfOrder: false, duplicate: false };
  private unsubscribe: (() => void)[] = [];
  private stopped = true;
  /** Messages published per kind (diagnostics and tests). */
  readonly counters = { readings: 0, history: 0, events: 0, dropped: 0 };

  constructor(
    readonly terminal: Terminal,
    readonly opts: MqttTerminalOptions,
  ) {
    this.topics = terminalTopics(terminal.id, opts.prefix);
  }

  /** Connect, publish `online`, subscribe to history requests. */
  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe.push(this.terminal.on((e) => this.onTerminal(e)));
    this.unsubscribe.push(this.terminal.wire.onChange(() => void this.followLink()));
    if (!this.terminal.wire.linkDown) await this.connect();
  }

  /** Publish `offline`, disconnect cleanly. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    const c = this.client;
    this.client = undefined;
    if (c?.connected) {
      await c.publishAsync(this.topics.status, 'offline', { retain: true, qos: 1 });
      await c.endAsync();
    } else c?.end(true);
  }

  private async connect(): Promise<void> {
    const client = await mqtt.connectAsync(this.opts.url, {
      clientId: this.opts.clientId ?? `meterflow-sim-${this.terminal.id}-${process.pid}`,
      // A broker restart is not a link fault: like a real terminal, it dials again (a link-down
      // fault ends the client for good instead, in followLink).
      reconnectPeriod: this.opts.reconnectMs ?? 1000,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    this.client = client;
    client.on('error', () => undefined);
    // Every reconnection says `online` again: the will told the broker `offline` when the link broke.
    client.on('connect', () => void client.publishAsync(this.topics.status, 'online', { retain: true, qos: 1 }).catch(() => undefined));
    client.on('message', (topic, payload) => {
      if (topic === this.topics.historyRequest) void this.answerHistory(payload);
    });
    await client.publishAsync(this.topics.status, 'online', { retain: true, qos: 1 });
    await client.subscribeAsync(this.topics.historyRequest, { qos: 1 });
  }

  private async followLink(): Promise<void> {
    if (this.stopped) return;
    if (this.terminal.wire.linkDown) {
      // Forced end: the socket closes without DISCONNECT, so the broker publishes the will.
      this.client?.end(true);
      this.client = undefined;
    } else if (!this.client) await this.connect().catch(() => undefined);
  }

  private onTerminal(e: TerminalEvent): void {
    if (e.type === 'interval') {
      // Intervals of one instant arrive back to back; send them as one snapshot. A jump over
      // many boundaries emits them all synchronously, so a new instant flushes the previous one.
      if (this.pending.length > 0 && this.pending[0]!.time !== e.time) this.flushReadings();
      if (this.pending.length === 0) {
        // Faults in force at the boundary decide this snapshot's fate, not those at flush time.
        const w = this.terminal.wire;
        this.fate = { malformed: w.hits(w.malformed), outOfOrder: w.hits(w.outOfOrder), duplicate: w.hits(w.duplicate) };
        queueMicrotask(() => this.flushReadings());
      }
      this.pending.push(e);
      return;
    }
    const ev = build.event(this.terminal.id, e, this.eventSeq);
    if (ev) {
      this.eventSeq++;
      this.send({ topic: this.topics.events, payload: JSON.stringify(ev satisfies EventMessage) }, 'events');
    }
  }

  private flushReadings(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const msg: Outgoing = { topic: this.topics.readings, payload: JSON.stringify(build.readings(this.terminal.id, this.seq++, batch)) };
    const fate = this.fate;
    if (fate.malformed) msg.payload = build.malformed(msg.payload, this.terminal.wire.random());
    if (fate.outOfOrder && !this.held) {
      this.held = msg; // sent after the next snapshot
      return;
    }
    this.send(msg, 'readings');
    if (fate.duplicate) this.send(msg, 'readings');
    if (this.held) {
      const h = this.held;
      this.held = undefined;
      this.send(h, 'readings');
    }
  }

  private send(msg: Outgoing, kind: 'readings' | 'events' | 'history'): void {
    const c = this.client;
    if (!c?.connected) {
      this.counters.dropped++;
      return;
    }
    this.counters[kind]++;
    c.publish(msg.topic, msg.payload, { qos: this.opts.qos ?? 1 });
  }

  private async answerHistory(raw: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString());
    } catch {
      return;
    }
    const parsed = HistoryRequestPayload.safeParse(json);
    if (!parsed.success) {
      const id = (json as { requestId?: unknown })?.requestId;
      if (typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id))
        this.send({ topic: this.topics.historyResponse(id), payload: JSON.stringify(build.historyError(this.terminal.id, id, parsed.error.message)) }, 'history');
      return;
    }
    this.terminal.sync();
    const req = parsed.data;
    for (const chunk of build.history(this.terminal, req, req.chunkSize ?? this.opts.chunkSize ?? 96))
      this.send({ topic: this.topics.historyResponse(req.requestId), payload: JSON.stringify(chunk) }, 'history');
  }
}
