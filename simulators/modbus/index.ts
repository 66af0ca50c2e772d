/** Modbus core shared by the TCP and RTU transports: CRC, framing, line timing, request serving. */
export { crc16 } from './crc.ts';
export { takeTcpFrames, tcpFrame, rtuFrame, parseRtuFrame, rtuRequestLength, charSeconds, exchangeSeconds, RTU_BITS_PER_CHAR, type TcpFrame } from './frames.ts';
export { servePdu, exceptionPdu } from './pdu.ts';
export { breakCrc, garble } from './corrupt.ts';
