/** Modbus TCP transport of a simulated terminal. */
export { ModbusTcpServer, type ModbusTcpOptions } from './server.ts';
