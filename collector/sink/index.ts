/** Reading rows, the sink interface the database implements, and the spooling writer. */
export type { ReadingRow, ReadingSink, CollectedSource, VoltageLossRecord, TerminalEventRow } from './types.ts';
export { ReadingWriter, type WriterOptions, type WriterStats } from './writer.ts';
