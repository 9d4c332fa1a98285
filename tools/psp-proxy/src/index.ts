export { startPspProxy, apiKeyOf, type FaultControl, type PspProxyOptions, type PspProxyStats, type ProxyEvent, type RunningPspProxy } from './proxy-server';
export { FAULT_KINDS, parseFaultSpec, type FaultKind, type FaultRuleView, type FaultSpec } from './faults';
export { DEFAULT_IDEMPOTENCY_LIMITS, type IdempotencyLimits } from './idempotency-store';
export { startPrivateSandbox, type PrivateSandbox } from './private-sandbox';
