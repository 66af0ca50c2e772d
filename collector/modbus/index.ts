/** Modbus framing the collector can trust: CRC, PDUs, RTU and TCP frames, typed errors. */
export { crc16, withCrc, crcValid } from './crc.ts';
export {
  FN_READ_HOLDING,
  FN_READ_INPUT,
  FN_WRITE_MULTIPLE,
  MAX_READ_COUNT,
  MAX_WRITE_COUNT,
  readRequestPdu,
  writeMultiplePdu,
  parseResponsePdu,
} from './pdu.ts';
export { rtuFrame, expectedResponseLength, RtuResponseAssembler, MAX_RTU_FRAME, type AssemblyState } from './rtu.ts';
export { tcpFrame, TcpAduSplitter, MBAP_LENGTH, type TcpAdu } from './tcp.ts';
export {
  AcquisitionError,
  ModbusExceptionError,
  FrameError,
  TimeoutError,
  ConnectionError,
  AbortedError,
  EXCEPTION_NAMES,
  type RequestContext,
  type FrameFault,
} from './errors.ts';
