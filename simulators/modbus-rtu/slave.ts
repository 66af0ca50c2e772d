/**
 * Modbus RTU slave of a terminal on a serial device (one end of a pty pair, or a real port).
 * Frames end at a silence of `silenceChars` characters. A pty delivers bytes instantly, so the
 * slave reproduces the line's wire time itself: an answer is written when the request's last
 * byte, the silence and the whole answer would have passed on a real bus at this baud rate, and
 * the bus stays busy for a silence after it. Unknown unit ids get no answer, as on a real bus.
 */
import { SerialPort } from 'serialport';
import { breakCrc, charSeconds, exceptionPdu, garble, parseRtuFrame, rtuFrame, servePdu } from '../modbus/index.ts';
import type { Terminal } from '../terminal/index.ts';

/** Serial line settings. */
export interface ModbusRtuOptions {
  path: string;
  baud?: number;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /** Inter-frame silence in characters (3.5 by the standard). */
  silenceChars?: number;
  /** Delay answers by the line's wire time (default true). */
  wireTime?: boolean;
}

/** A running RTU slave. */
export class ModbusRtuSlave {
  private port: SerialPort | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private firstByteAt = 0;
  private silenceTimer: NodeJS.Timeout | undefined;
  private busFreeAt = 0;
  private readonly pending = new Set<NodeJS.Timeout>();
  readonly baud: number;
  readonly silenceChars: number;
  /** Frames received and answers sent (for diagnostics and tests). */
  readonly counters = { frames: 0, badCrc: 0, answered: 0, silent: 0 };

  constructor(
    readonly terminal: Terminal,
    readonly opts: ModbusRtuOptions,
  ) {
    this.baud = opts.baud ?? 9600;
    this.silenceChars = opts.silenceChars ?? 3.5;
  }

  /** Milliseconds of one character. */
  private get charMs(): number {
    return charSeconds(this.baud) * 1000;
  }

  /** Open the device. */
  start(): Promise<void> {
    const port = new SerialPort({
      path: this.opts.path,
      baudRate: this.baud,
      parity: this.opts.parity ?? 'none',
      stopBits: this.opts.stopBits ?? 1,
      dataBits: 8,
      autoOpen: false,
    });
    this.port = port;
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', () => undefined);
    return new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  }

  /** Close the device and drop pending answers. */
  stop(): Promise<void> {
    clearTimeout(this.silenceTimer);
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    const port = this.port;
    this.port = undefined;
    return new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
  }

  private receive(chunk: Buffer): void {
    if (this.buf.length === 0) this.firstByteAt = performance.now();
    this.buf = Buffer.concat([this.buf, chunk]);
    clearTimeout(this.silenceTimer);
    // A frame ends at the silence; timers cannot go below 1 ms, which only matters above 38400 baud.
    this.silenceTimer = setTimeout(() => this.frameEnd(), Math.max(1, this.silenceChars * this.charMs));
  }

  private frameEnd(): void {
    const frame = this.buf;
    this.buf = Buffer.alloc(0);
    this.counters.frames++;
    const parsed = parseRtuFrame(frame);
    if (!parsed) {
      this.counters.badCrc++;
      return;
    }
    const wire = this.terminal.wire;
    const decision = wire.decide(parsed.unit);
    const fc = parsed.pdu[0] ?? 0;
    if (decision.action === 'drop' || parsed.unit === 0) {
      this.counters.silent++;
      return;
    }
    this.terminal.sync();
    let out: Buffer<ArrayBufferLike>;
    if (decision.action === 'exception') out = rtuFrame(parsed.unit, exceptionPdu(fc, decision.code));
    else {
      const pdu = servePdu(this.terminal, parsed.unit, parsed.pdu);
      if (!pdu) {
        this.counters.silent++;
        return;
      }
      out = rtuFrame(parsed.unit, pdu);
      if (decision.action === 'corrupt') out = decision.mode === 'crc' ? breakCrc(out) : garble(out, 1, () => wire.random());
    }
    this.send(out, frame.length);
  }

  private send(out: Buffer, requestBytes: number): void {
    const now = performance.now();
    let at = now + this.terminal.wire.delayMs;
    if (this.opts.wireTime !== false) {
      // The request's bytes left the master when its first byte arrived here (a pty is instant).
      const requestEnd = Math.max(this.firstByteAt, this.busFreeAt) + requestBytes * this.charMs;
      at = Math.max(at, requestEnd + (this.silenceChars + out.length) * this.charMs);
      this.busFreeAt = at + this.silenceChars * this.charMs;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.counters.answered++;
      this.port?.write(out);
    }, Math.max(0, at - now));
    this.pending.add(timer);
  }
}
