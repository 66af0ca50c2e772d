/**
 * Modbus TCP transport: one persistent connection per gateway, several unit ids behind it,
 * at most `maxInFlight` requests outstanding (matched by transaction id).
 */
import { Socket } from 'node:net';
import PQueue from 'p-queue';
import {
  AbortedError,
  ConnectionError,
  FrameError,
  TcpAduSplitter,
  TimeoutError,
  parseResponsePdu,
  tcpFrame,
  type RequestContext,
} from '../../modbus/index.ts';
import { ModbusTransaction, settleWithin } from '../transaction.ts';

/** Settings of a Modbus TCP gateway. */
export interface ModbusTcpOptions {
  /** Terminal id (named in errors). */
  terminal: string;
  /** Gateway host. */
  host: string;
  /** Gateway port (502 by default). */
  port?: number;
  /** Response timeout per request, ms (default 1000). */
  timeoutMs?: number;
  /** Connect timeout, ms (default 3000). */
  connectTimeoutMs?: number;
  /** Requests outstanding at once on this gateway (default 1: many gateways serialise anyway). */
  maxInFlight?: number;
}

interface Pending {
  ctx: RequestContext;
  resolve: (r: Uint16Array) => void;
  reject: (e: Error) => void;
}

/** A Modbus TCP gateway connection implementing {@link ModbusTransaction}. */
export class ModbusTcpTransport extends ModbusTransaction {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: PQueue;
  private nextTransaction = 1;
  private closed = false;
  private readonly timeoutMs: number;

  /** Create the transport; the connection opens on the first request. */
  constructor(private readonly options: ModbusTcpOptions) {
    super(options.terminal);
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.queue = new PQueue({ concurrency: Math.max(1, options.maxInFlight ?? 1) });
  }

  protected exchange(ctx: RequestContext, pdu: Buffer, signal?: AbortSignal): Promise<Uint16Array> {
    return this.queue.add(async () => {
      if (signal?.aborted) throw new AbortedError(ctx);
      const socket = await this.connect(ctx);
      const id = this.nextTransaction;
      this.nextTransaction = (this.nextTransaction + 1) & 0xffff || 1;
      const answer = new Promise<Uint16Array>((resolve, reject) => this.pending.set(id, { ctx, resolve, reject }));
      socket.write(tcpFrame(id, ctx.unitId, pdu));
      return settleWithin(
        answer,
        this.timeoutMs,
        () => new TimeoutError(ctx, this.timeoutMs),
        signal,
        () => new AbortedError(ctx),
        () => this.pending.delete(id),
      );
    }) as Promise<Uint16Array>;
  }

  private connect(ctx: RequestContext): Promise<Socket> {
    if (this.closed) return Promise.reject(new ConnectionError(ctx, 'transport closed'));
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const { host, port = 502 } = this.options;
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(ctx, `connect to ${host}:${port} timed out`));
      }, this.options.connectTimeoutMs ?? 3000);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionError(ctx, `connect to ${host}:${port}: ${e.message}`, e));
      });
      socket.connect(port, host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        this.attach(socket);
        resolve(socket);
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    const splitter = new TcpAduSplitter();
    socket.on('data', (chunk: Buffer) => {
      let adus;
      try {
        adus = splitter.push(chunk);
      } catch (e) {
        this.fail(socket, (ctx) => new FrameError(ctx, 'garbled', (e as Error).message));
        return;
      }
      for (const adu of adus) {
        const p = this.pending.get(adu.transactionId);
        if (!p) continue; // late answer to a request that timed out
        this.pending.delete(adu.transactionId);
        if (adu.unitId !== p.ctx.unitId) {
          p.reject(new FrameError(p.ctx, 'mismatch', `answer from unit ${adu.unitId}`, adu.pdu));
          continue;
        }
        try {
          p.resolve(parseResponsePdu(p.ctx, adu.pdu));
        } catch (err) {
          p.reject(err as Error);
        }
      }
    });
    socket.on('error', () => this.fail(socket, (ctx) => new ConnectionError(ctx, 'socket error')));
    socket.on('close', () => this.fail(socket, (ctx) => new ConnectionError(ctx, 'connection closed by peer')));
  }

  private fail(socket: Socket, error: (ctx: RequestContext) => Error): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(error(p.ctx));
    }
  }

  /** Close the connection; pending requests fail with a connection error. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    const s = this.socket;
    if (s) this.fail(s, (ctx) => new ConnectionError(ctx, 'transport closed'));
  }
}
