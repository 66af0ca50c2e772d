/**
 * What the Modbus transports share: building requests, counting outcomes, the public read/write
 * methods. A transport only supplies `exchange` (send one PDU, get the answer's registers).
 */
import {
  AbortedError,
  AcquisitionError,
  FN_READ_HOLDING,
  FN_READ_INPUT,
  FN_WRITE_MULTIPLE,
  readRequestPdu,
  writeMultiplePdu,
  type RequestContext,
} from '../modbus/index.ts';
import type { RegisterTable } from '../profiles/index.ts';
import { emptyStats, type ModbusTransport, type TransportStats } from './types.ts';

/** Base of the Modbus transports: implements {@link ModbusTransport} on top of `exchange`. */
export abstract class ModbusTransaction implements ModbusTransport {
  /** Outcome counters. */
  readonly stats: TransportStats = emptyStats();

  /** @param terminal terminal id named in errors. */
  constructor(readonly terminal: string) {}

  /** Send `pdu` for `ctx` and resolve with the answer's registers; reject with an {@link AcquisitionError}. */
  protected abstract exchange(ctx: RequestContext, pdu: Buffer, signal?: AbortSignal): Promise<Uint16Array>;

  /** Release the link. */
  abstract close(): Promise<void>;

  /** {@inheritDoc ModbusTransport.read} */
  read(unitId: number, table: RegisterTable, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array> {
    const fn = table === 'input' ? FN_READ_INPUT : FN_READ_HOLDING;
    return this.run({ terminal: this.terminal, unitId, fn, address, count }, () => readRequestPdu(fn, address, count), signal);
  }

  /** {@inheritDoc ModbusTransport.readHolding} */
  readHolding(unitId: number, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array> {
    return this.read(unitId, 'holding', address, count, signal);
  }

  /** {@inheritDoc ModbusTransport.readInput} */
  readInput(unitId: number, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array> {
    return this.read(unitId, 'input', address, count, signal);
  }

  /** {@inheritDoc ModbusTransport.writeMultiple} */
  async writeMultiple(unitId: number, address: number, values: ArrayLike<number>, signal?: AbortSignal): Promise<void> {
    const ctx = { terminal: this.terminal, unitId, fn: FN_WRITE_MULTIPLE, address, count: values.length };
    await this.run(ctx, () => writeMultiplePdu(address, values), signal);
  }

  private async run(ctx: RequestContext, build: () => Buffer, signal?: AbortSignal): Promise<Uint16Array> {
    if (signal?.aborted) throw new AbortedError(ctx);
    const pdu = build();
    this.stats.requests++;
    try {
      const registers = await this.exchange(ctx, pdu, signal);
      this.stats.ok++;
      return registers;
    } catch (e) {
      if (e instanceof AcquisitionError) {
        if (e.kind === 'exception') this.stats.exceptions++;
        else if (e.kind === 'frame') this.stats.badFrames++;
        else if (e.kind === 'timeout') this.stats.timeouts++;
        else if (e.kind === 'connection') this.stats.linkFailures++;
        throw e;
      }
      this.stats.linkFailures++;
      throw new AcquisitionError('connection', ctx, String((e as Error)?.message ?? e), { cause: e });
    }
  }
}

/**
 * Wait for `promise` but give up with `onTimeout()` after `ms` or `onAbort()` when `signal`
 * fires; `cleanup` runs in every case.
 */
export function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
  cleanup: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      cleanup();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(onTimeout())), ms);
    const abort = (): void => finish(() => reject(onAbort()));
    signal?.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}
