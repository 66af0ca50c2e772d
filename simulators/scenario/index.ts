/** Scenarios: YAML files validated with zod, built into terminals, run live or batch, recorded and replayed. */
export { ScenarioSchema, FaultSchema, MeterSchema, TerminalSchema, TariffSchema, LoadSchema, type ScenarioFile, type FaultEntry, type MeterEntry } from './schema.ts';
export { parseScenario, loadScenario, ScenarioError } from './load.ts';
export { buildSimulation, type Simulation, type TransportSpec } from './build.ts';
export { runScenario, startSimulation, type RunOptions, type RunSummary, type ScenarioRun } from './run.ts';
export { RecordWriter, headerLine, recordLine, type RecordLine, type HeaderLine, type IntervalLine, type EventLine, type EndLine } from './record.ts';
export { replayRecording, replayTerminals, parseRecording, loadRecording, RecordedMeter, type Recording } from './replay.ts';
export { serveTerminals, type Endpoint, type Served, type ServeOptions } from './serve.ts';
export { resolveInitial, type InitialSpec } from './initial.ts';
export { parseDuration, parseInstant } from './time.ts';
