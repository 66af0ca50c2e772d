/** Fault injection: transport switches of a terminal and faults on its timeline. */
export { WireFaults, type Rate, type WireDecision } from './wire.ts';
export { FAULT_KINDS, WIRE_FAULT_KINDS, type Fault, type FaultInit, type FaultKind, type WireFault, type MeterFault } from './fault.ts';
export { switchFault, scheduleFault } from './apply.ts';
