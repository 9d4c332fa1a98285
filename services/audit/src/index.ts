// The audit service's public surface: what the launcher, the end-to-end tests and the benchmarks may use.
export { CHECKPOINT_EVENT_NAMESPACE } from './audit.module';
export { AUDITED_EVENTS, AUDITED_TOPICS } from './application/audited-events';
export { readLatestCheckpoints } from './kafka/checkpoint-reader';
export { AUDIT_SCHEMA, auditService } from './service';
export { readAuditSettings, type AuditSettings } from './settings';
export { sagaTrail, verifyTrail, type TrailVerification } from './verify-trail';
