/** A simulated terminal: meters behind unit ids, simulated time, and the `sim-terminal-v1` map. */
export { Terminal, type MeterView, type MeterSlot, type TerminalEvent } from './terminal.ts';
export { SIM_TERMINAL_V1, EXCEPTION, registerImage, readHolding, writeHolding } from './register-map.ts';
