/** Modbus RTU transport over a serial port (see README.md for a sample config). */
export { ModbusRtuBus, RtuTerminalTransport, characterMs, interFrameSilenceMs, type ModbusRtuOptions } from './bus.ts';
