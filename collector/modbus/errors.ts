/**
 * Typed acquisition errors. Every error names the terminal, the unit id and the register
 * address it concerns, so a log line alone says what failed where.
 */

/** Where a Modbus request went: enough to find the meter and the register in a log. */
export interface RequestContext {
  /** Terminal id from the site config. */
  terminal: string;
  /** Modbus unit id (slave address) of the meter. */
  unitId: number;
  /** Function code of the request (3, 4, 16). */
  fn: number;
  /** First register address of the request. */
  address: number;
  /** Number of registers requested or written. */
  count: number;
}

/** The Modbus exception codes of the specification, by number. */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

function where(ctx: RequestContext): string {
  return `terminal ${ctx.terminal} unit ${ctx.unitId} register ${ctx.address} (fn ${ctx.fn}, ${ctx.count} regs)`;
}

/** Base class of every error raised while talking to a terminal. */
export class AcquisitionError extends Error {
  /** What kind of failure this is, stable for counting and alarms. */
  readonly kind: string;
  /** The request that failed. */
  readonly context: RequestContext;

  /** Build an error of `kind` about the request `context`. */
  constructor(kind: string, context: RequestContext, detail: string, options?: { cause?: unknown }) {
    super(`${where(context)}: ${detail}`, options);
    this.name = new.target.name;
    this.kind = kind;
    this.context = context;
  }

  /** Whether the error says the link or the device is not answering (counts against the breaker). */
  get isLinkFailure(): boolean {
    return this.kind === 'timeout' || this.kind === 'connection';
  }
}

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends AcquisitionError {
  /** Exception code from the response (1 = illegal function, 2 = illegal data address, …). */
  readonly exceptionCode: number;
  /** Build from the request and the exception code. */
  constructor(context: RequestContext, exceptionCode: number) {
    const name = EXCEPTION_NAMES[exceptionCode] ?? 'unknown exception';
    super('exception', context, `Modbus exception ${exceptionCode} (${name})`);
    this.exceptionCode = exceptionCode;
  }
}

/** Why a frame was rejected. */
export type FrameFault = 'crc' | 'short' | 'garbled' | 'mismatch';

/** A response frame that cannot be trusted: bad CRC, too short, malformed or not ours. */
export class FrameError extends AcquisitionError {
  /** The specific fault. */
  readonly fault: FrameFault;
  /** The raw bytes received, for the acquisition log. */
  readonly raw: Buffer | undefined;
  /** Build from the request, the fault and what arrived. */
  constructor(context: RequestContext, fault: FrameFault, detail: string, raw?: Buffer) {
    super('frame', context, `bad frame (${fault}): ${detail}${raw ? ` [${raw.toString('hex')}]` : ''}`);
    this.fault = fault;
    this.raw = raw;
  }
}

/** No (complete) answer arrived within the response timeout. */
export class TimeoutError extends AcquisitionError {
  /** Build from the request and the timeout that elapsed. */
  constructor(context: RequestContext, timeoutMs: number) {
    super('timeout', context, `no answer within ${timeoutMs} ms`);
  }
}

/** The link (socket, serial port) could not be opened or broke during the request. */
export class ConnectionError extends AcquisitionError {
  /** Build from the request and the underlying cause. */
  constructor(context: RequestContext, detail: string, cause?: unknown) {
    super('connection', context, `link failure: ${detail}`, { cause });
  }
}

/** The request was cancelled by its caller (shutdown, scheduler timeout). */
export class AbortedError extends AcquisitionError {
  /** Build from the request. */
  constructor(context: RequestContext) {
    super('aborted', context, 'request aborted');
  }
}
