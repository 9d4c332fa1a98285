import type { Counter } from 'prom-client';
import type { AuditTrail, RecordAnnouncer } from './ports';

export const AUDIT_CONTEXT = Symbol('audit-context');

/** What the audit's use cases share. */
export interface AuditContext {
  readonly trail: AuditTrail;
  readonly announcer: RecordAnnouncer;
  readonly clock: () => Date;
  /** audit_records_total{action,outcome}: recorded, or already recorded. */
  readonly recorded: Counter<'action' | 'outcome'>;
}
