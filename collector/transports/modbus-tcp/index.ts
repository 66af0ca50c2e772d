/** Modbus TCP transport (see README.md for a sample config). */
export { ModbusTcpTransport, type ModbusTcpOptions } from './client.ts';
