/** Modbus RTU transport of a simulated terminal, and the socat pty pair it runs on in tests. */
export { ModbusRtuSlave, type ModbusRtuOptions } from './slave.ts';
export { openPtyPair, hasCommand, type PtyPair } from './pty.ts';
