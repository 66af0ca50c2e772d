/** Acquisition of one meter's reading over a Modbus transport. */
export { readMeter, type ReadMeterOptions } from './read-meter.ts';
