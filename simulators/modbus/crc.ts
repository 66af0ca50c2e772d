/**
 * CRC-16/MODBUS: one implementation serves the simulators and the collector. Independence on
 * the wire is proven against mbpoll (libmodbus) and hand-checked frames, not by a second copy.
 */
export { crc16 } from '../../collector/index.ts';
