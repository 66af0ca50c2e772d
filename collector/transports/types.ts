/**
 * The one interface every polled transport implements, and the push interface of MQTT.
 */
import type { RegisterTable } from '../profiles/index.ts';

/** A Modbus link to one terminal (the meters behind it are unit ids). */
export interface ModbusTransport {
  /** Terminal id this transport talks to; named in every error. */
  readonly terminal: string;
  /** Read `count` registers from `table` of `unitId` starting at `address`. */
  read(unitId: number, table: RegisterTable, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array>;
  /** Read holding registers (function 3). */
  readHolding(unitId: number, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array>;
  /** Read input registers (function 4). */
  readInput(unitId: number, address: number, count: number, signal?: AbortSignal): Promise<Uint16Array>;
  /** Write multiple registers (function 16). */
  writeMultiple(unitId: number, address: number, values: ArrayLike<number>, signal?: AbortSignal): Promise<void>;
  /** Release the link (socket, or this terminal's share of a serial bus). */
  close(): Promise<void>;
}

/** Counters every transport keeps for the health endpoint and the acquisition log. */
export interface TransportStats {
  /** Requests sent. */
  requests: number;
  /** Requests answered with registers. */
  ok: number;
  /** Modbus exception responses. */
  exceptions: number;
  /** Bad frames (CRC, short, garbled, mismatched). */
  badFrames: number;
  /** Requests that timed out. */
  timeouts: number;
  /** Link failures (connect refused, port lost). */
  linkFailures: number;
}

/** Fresh zeroed {@link TransportStats}. */
export function emptyStats(): TransportStats {
  return { requests: 0, ok: 0, exceptions: 0, badFrames: 0, timeouts: 0, linkFailures: 0 };
}
