/** Decoding: register words to numbers, register blocks to meter readings. */
export { decodeWords, encodeWords } from './words.ts';
export { decodeReading, type MeterReading, type RegisterBlock } from './reading.ts';
