/** MQTT transport of a simulated terminal, and the payload schemas the collector parses. */
export { MqttTerminal, type MqttTerminalOptions } from './client.ts';
export {
  ReadingsPayload,
  MeterSnapshotPayload,
  RegistersPayload,
  PhaseLossPayload,
  HistoryRequestPayload,
  HistoryRecordPayload,
  HistoryResponsePayload,
  EventPayload,
  StatusPayload,
  EVENT_KINDS,
  terminalTopics,
  registersPayload,
  registersFromPayload,
  type ReadingsMessage,
  type HistoryRequest,
  type HistoryResponse,
  type EventMessage,
} from './payloads.ts';
