/**
 * The collector's public surface: transports, framing, profiles, planning, decoding, history,
 * scheduling, spool, sink and site config. Other folders import only this file.
 */
export * from './modbus/index.ts';
export * from './profiles/index.ts';
export * from './planner/index.ts';
export * from './decoding/index.ts';
export * from './acquisition/index.ts';
export * from './history/index.ts';
export * from './scheduler/index.ts';
export * from './spool/index.ts';
export * from './sink/index.ts';
export * from './config/index.ts';
export type { ModbusTransport, TransportStats } from './transports/types.ts';
export { ModbusTransaction } from './transports/transaction.ts';
export * from './transports/modbus-tcp/index.ts';
export * from './transports/modbus-rtu/index.ts';
export * from './transports/mqtt/index.ts';
export * from './daemon/index.ts';
export * from './backfill/index.ts';
export * from './store/index.ts';
