/**
 * Modbus TCP server of a terminal over plain `net` (our own framing, so faults can reach the
 * bytes). Unit ids without a meter answer exception 0x0B, as a gateway does. Link down closes the
 * listening port and every connection, so clients see "connection refused".
 */
import net from 'node:net';
import { exceptionPdu, garble, servePdu, takeTcpFrames, tcpFrame, type TcpFrame } from '../modbus/index.ts';
import { EXCEPTION, type Terminal } from '../terminal/index.ts';

/** Where to listen. */
export interface ModbusTcpOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

/** A running Modbus TCP server for one terminal. */
export class ModbusTcpServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private boundPort: number;
  private readonly host: string;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    readonly terminal: Terminal,
    opts: ModbusTcpOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.boundPort = opts.port ?? 0;
  }

  /** The bound port (after start). */
  get port(): number {
    return this.boundPort;
  }

  /** Start listening (unless the link is down); resolves with the port. */
  async start(): Promise<number> {
    this.stopped = false;
    this.unsubscribe = this.terminal.wire.onChange(() => void this.followLink());
    if (!this.terminal.wire.linkDown) await this.listen();
    return this.boundPort;
  }

  /** Close the port and every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.close();
  }

  private async followLink(): Promise<void> {
    if (this.stopped) return;
    if (this.terminal.wire.linkDown) await this.close();
    else if (!this.server) await this.listen();
  }

  private listen(): Promise<void> {
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        this.boundPort = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const { frames, rest, bad } = takeTcpFrames(Buffer.concat([buf, chunk]));
      buf = rest;
      for (const f of frames) this.answer(socket, f);
      if (bad) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private answer(socket: net.Socket, f: TcpFrame): void {
    const wire = this.terminal.wire;
    const fc = f.pdu[0] ?? 0;
    const decision = wire.decide(f.unit);
    if (decision.action === 'drop') return;
    this.terminal.sync();
    let out: Buffer<ArrayBufferLike>;
    if (decision.action === 'exception') out = tcpFrame(f.transaction, f.unit, exceptionPdu(fc, decision.code));
    else {
      const pdu = servePdu(this.terminal, f.unit, f.pdu) ?? exceptionPdu(fc, EXCEPTION.gatewayTargetFailed);
      out = tcpFrame(f.transaction, f.unit, pdu);
      // TCP has no CRC: 'crc' damage becomes garbled payload bytes after the function code.
      if (decision.action === 'corrupt') out = decision.mode === 'crc' ? garble(out, 8, () => wire.random()) : garble(out, 7, () => wire.random());
    }
    const send = () => {
      if (!socket.destroyed) socket.write(out);
    };
    if (wire.delayMs > 0) setTimeout(send, wire.delayMs);
    else send();
  }
}
