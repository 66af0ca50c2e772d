/**
 * meterflow simulators: seeded meters, terminals served on Modbus TCP, Modbus RTU (over a real
 * serial device or a socat pty pair) and MQTT, faults, scenarios, ground-truth records and replay,
 * and a fast ground-truth generator for bulk loads. This file is the folder's public surface.
 */
export { SimClock, ManualClock, type Clock } from './clock/index.ts';
export {
  Meter,
  ProfileMemory,
  TariffCalendar,
  DEFAULT_TARIFF,
  DEFAULT_CAPACITY,
  WS_PER_UNIT,
  ProfileLoad,
  SumLoad,
  buildLoads,
  SHAPES,
  zoneOf,
  mulberry32,
  hashString,
  type MeterConfig,
  type MeterReading,
  type MeterEvent,
  type ProfileRecord,
  type TariffSpec,
  type LoadSpec,
  type LoadModel,
  type PhaseLossRecord,
  type DemandRecord,
} from './meter/index.ts';
export { Terminal, SIM_TERMINAL_V1, EXCEPTION, registerImage, type MeterView, type MeterSlot, type TerminalEvent } from './terminal/index.ts';
export { crc16, rtuFrame, parseRtuFrame, tcpFrame, exchangeSeconds, charSeconds } from './modbus/index.ts';
export { ModbusTcpServer, type ModbusTcpOptions } from './modbus-tcp/index.ts';
export { ModbusRtuSlave, openPtyPair, hasCommand, type ModbusRtuOptions, type PtyPair } from './modbus-rtu/index.ts';
export {
  MqttTerminal,
  ReadingsPayload,
  HistoryRequestPayload,
  HistoryResponsePayload,
  EventPayload,
  StatusPayload,
  RegistersPayload,
  terminalTopics,
  registersFromPayload,
  type MqttTerminalOptions,
  type ReadingsMessage,
  type HistoryRequest,
  type HistoryResponse,
  type EventMessage,
} from './mqtt/index.ts';
export { WireFaults, switchFault, scheduleFault, FAULT_KINDS, type Fault, type FaultInit, type FaultKind } from './faults/index.ts';
export {
  runScenario,
  startSimulation,
  replayRecording,
  loadScenario,
  parseScenario,
  buildSimulation,
  loadRecording,
  parseRecording,
  serveTerminals,
  ScenarioError,
  ScenarioSchema,
  type RunOptions,
  type RunSummary,
  type ScenarioRun,
  type Simulation,
  type Endpoint,
  type Recording,
  type RecordLine,
  type IntervalLine,
  type ScenarioFile,
} from './scenario/index.ts';
export { groundTruth, type PointSpec, type PointSnapshot, type GroundTruthOptions } from './ground-truth/index.ts';
export { writeGroundTruth, fixturePoint, type DatabaseFixtureOptions, type DatabaseFixture } from './ground-truth/to-database.ts';

import type { Fault, FaultInit } from './faults/index.ts';
import { scheduleFault as schedule } from './faults/index.ts';
import type { Terminal as TerminalType } from './terminal/index.ts';

/**
 * Inject a fault at run time: it starts at the terminal's current simulated time (or `at`)
 * and, with a duration, ends by itself.
 */
export function injectFault(terminal: TerminalType, fault: FaultInit): void {
  schedule(terminal, { ...fault, at: fault.at ?? terminal.time } as Fault);
}
