/**
 * Modbus RTU over a serial port (RS-485): one bus, several meters (and possibly several
 * terminals) on it, strictly one request at a time, frames separated by the 3.5-character
 * silence of the serial-line spec.
 */
import PQueue from 'p-queue';
import { SerialPort } from 'serialport';
import {
  AbortedError,
  ConnectionError,
  RtuResponseAssembler,
  TimeoutError,
  rtuFrame,
  type AssemblyState,
  type RequestContext,
} from '../../modbus/index.ts';
import { ModbusTransaction, settleWithin } from '../transaction.ts';

/** Serial settings of an RS-485 bus. */
export interface ModbusRtuOptions {
  /** Serial device, e.g. /dev/ttyUSB0. */
  path: string;
  /** Baud rate (default 9600). */
  baudRate?: number;
  /** Parity (default even, as the Modbus serial-line spec recommends). */
  parity?: 'none' | 'even' | 'odd';
  /** Stop bits (default 1; use 2 with parity none to keep 11-bit characters). */
  stopBits?: 1 | 2;
  /** Response timeout per request, ms (default 1000). */
  timeoutMs?: number;
  /** Inter-frame silence, ms; default 3.5 character times (1.75 ms above 19200 baud, per spec). */
  interFrameMs?: number;
}

/** Character time in ms: an RTU character is 11 bits (start, 8 data, parity or 2nd stop, stop). */
export function characterMs(baudRate: number): number {
  return (11 * 1000) / baudRate;
}

/** The spec's inter-frame silence t3.5 for `baudRate`, in ms. */
export function interFrameSilenceMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : 3.5 * characterMs(baudRate);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An RS-485 bus. Each terminal on it gets its own {@link ModbusTransport} view through
 * {@link ModbusRtuBus.terminal}; all views share the one-request-at-a-time queue.
 */
export class ModbusRtuBus {
  private port: SerialPort | undefined;
  private opening: Promise<SerialPort> | undefined;
  private readonly queue = new PQueue({ concurrency: 1 });
  private lastActivity = 0;
  private onBytes: ((chunk: Buffer) => void) | undefined;
  private closed = false;
  /** Bytes that arrived while no request was waiting (noise, late answers). */
  strayBytes = 0;
  private readonly views = new Set<RtuTerminalTransport>();

  /** Create the bus; the port opens on the first request. */
  constructor(readonly options: ModbusRtuOptions) {}

  /** Silence enforced between frames, ms. */
  get interFrameMs(): number {
    return this.options.interFrameMs ?? interFrameSilenceMs(this.options.baudRate ?? 9600);
  }

  /** The transport for terminal `id` on this bus. */
  terminal(id: string): RtuTerminalTransport {
    const view = new RtuTerminalTransport(id, this);
    this.views.add(view);
    return view;
  }

  /** @internal One request/answer on the bus, queued behind every other. */
  transact(ctx: RequestContext, pdu: Buffer, signal?: AbortSignal): Promise<Uint16Array> {
    return this.queue.add(async () => {
      if (signal?.aborted) throw new AbortedError(ctx);
      const port = await this.open(ctx);
      const wait = this.lastActivity + this.interFrameMs - performance.now();
      if (wait > 0) await sleep(wait);
      const assembler = new RtuResponseAssembler(ctx);
      const timeoutMs = this.options.timeoutMs ?? 1000;
      const answer = new Promise<Uint16Array>((resolve, reject) => {
        this.onBytes = (chunk) => {
          const state: AssemblyState = assembler.push(chunk);
          if (!state.done) return;
          this.onBytes = undefined;
          if ('error' in state) reject(state.error);
          else resolve(state.registers);
        };
      });
      answer.catch(() => undefined); // judged below, after the write drains
      port.write(rtuFrame(ctx.unitId, pdu));
      await new Promise<void>((resolve) => port.drain(() => resolve()));
      this.lastActivity = performance.now();
      return settleWithin(
        answer,
        timeoutMs,
        () => assembler.incomplete() ?? new TimeoutError(ctx, timeoutMs),
        signal,
        () => new AbortedError(ctx),
        () => (this.onBytes = undefined),
      );
    }) as Promise<Uint16Array>;
  }

  private open(ctx: RequestContext): Promise<SerialPort> {
    if (this.closed) return Promise.reject(new ConnectionError(ctx, 'bus closed'));
    if (this.port?.isOpen) return Promise.resolve(this.port);
    this.opening ??= new Promise<SerialPort>((resolve, reject) => {
      const o = this.options;
      const port = new SerialPort({
        path: o.path,
        baudRate: o.baudRate ?? 9600,
        parity: o.parity ?? 'even',
        stopBits: o.stopBits ?? 1,
        dataBits: 8,
        autoOpen: false,
      });
      port.open((err) => {
        if (err) return reject(new ConnectionError(ctx, `open ${o.path}: ${err.message}`, err));
        port.on('data', (chunk: Buffer) => {
          this.lastActivity = performance.now();
          if (this.onBytes) this.onBytes(chunk);
          else this.strayBytes += chunk.length;
        });
        port.on('error', () => undefined);
        port.on('close', () => {
          if (this.port === port) this.port = undefined;
        });
        this.port = port;
        resolve(port);
      });
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** @internal A terminal view closed; the port closes with the last one. */
  release(view: RtuTerminalTransport): Promise<void> {
    this.views.delete(view);
    return this.views.size === 0 ? this.close() : Promise.resolve();
  }

  /** Close the port; queued requests are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

/** One terminal's view of a shared {@link ModbusRtuBus}. */
export class RtuTerminalTransport extends ModbusTransaction {
  /** @internal use {@link ModbusRtuBus.terminal}. */
  constructor(terminal: string, readonly bus: ModbusRtuBus) {
    super(terminal);
  }

  protected exchange(ctx: RequestContext, pdu: Buffer, signal?: AbortSignal): Promise<Uint16Array> {
    return this.bus.transact(ctx, pdu, signal);
  }

  /** Release this terminal's share of the bus. */
  close(): Promise<void> {
    return this.bus.release(this);
  }
}
