import type { TOPIC_EVENT_TYPES } from '@txn/contracts';

/**
 * The topics whose every event is a state change the audit trail records: the domains' events and
 * the gateway's security events, and customers' data keys (issued, erased: the proof of an erasure). Commands are not recorded: what a command did is the event it
 * caused (a refused one too: BookingRejected, LedgerRejected, PaymentRefundRejected), which carries
 * the command's actor. The checkpoints are the audit's own.
 */
export const AUDITED_TOPICS = ['booking.events.v1', 'payment.events.v1', 'ledger.events.v1', 'psp.events.v1', 'security.events.v1', 'customer.keys.v1'] as const;
export type AuditedTopic = (typeof AUDITED_TOPICS)[number];
export type AuditedEventType = (typeof TOPIC_EVENT_TYPES)[AuditedTopic][number];

export interface AuditedEventKind {
  /** What the envelope's aggregate id names. */
  readonly aggregateType: string;
  /** The status the event type stands for when the event carries no statusBefore/statusAfter. */
  readonly implied?: { readonly before: string | null; readonly after: string };
}

/** Every event type of the audited topics: a new one does not compile until it is named here. */
export const AUDITED_EVENTS: Readonly<Record<AuditedEventType, AuditedEventKind>> = {
  BookingHeld: { aggregateType: 'booking' },
  BookingRejected: { aggregateType: 'booking' },
  BookingConfirmed: { aggregateType: 'booking' },
  BookingCancelled: { aggregateType: 'booking' },
  BookingExpired: { aggregateType: 'booking' },
  BookingCompleted: { aggregateType: 'booking' },
  ResourceRegistered: { aggregateType: 'resource', implied: { before: null, after: 'REGISTERED' } },
  RefundPolicySet: { aggregateType: 'refund-policy', implied: { before: null, after: 'SET' } },
  PaymentAuthorized: { aggregateType: 'payment' },
  PaymentRequiresAction: { aggregateType: 'payment' },
  PaymentFailed: { aggregateType: 'payment' },
  PaymentOutcomeUnknown: { aggregateType: 'payment' },
  PaymentCaptured: { aggregateType: 'payment' },
  PaymentCaptureFailed: { aggregateType: 'payment' },
  PaymentVoided: { aggregateType: 'payment' },
  PaymentRefunded: { aggregateType: 'payment' },
  PaymentRefundFailed: { aggregateType: 'payment' },
  PaymentRefundRejected: { aggregateType: 'payment' },
  PaymentDisputed: { aggregateType: 'payment' },
  ReconciliationBreakRaised: { aggregateType: 'reconciliation-break' },
  ReconciliationBreakResolved: { aggregateType: 'reconciliation-break' },
  HoldPlaced: { aggregateType: 'hold' },
  HoldPosted: { aggregateType: 'hold' },
  HoldVoided: { aggregateType: 'hold' },
  EntryPosted: { aggregateType: 'journal-entry', implied: { before: null, after: 'POSTED' } },
  EscrowReleased: { aggregateType: 'escrow' },
  LedgerBreakRaised: { aggregateType: 'ledger-break', implied: { before: null, after: 'OPEN' } },
  LedgerRejected: { aggregateType: 'ledger-command', implied: { before: null, after: 'REJECTED' } },
  PspEventReceived: { aggregateType: 'psp-event', implied: { before: null, after: 'RECEIVED' } },
  ApiKeyCreated: { aggregateType: 'api-key', implied: { before: null, after: 'ACTIVE' } },
  ApiKeyRevoked: { aggregateType: 'api-key', implied: { before: 'ACTIVE', after: 'REVOKED' } },
  AccessDenied: { aggregateType: 'access' },
  StaffAuthenticated: { aggregateType: 'staff-session', implied: { before: null, after: 'AUTHENTICATED' } },
  ApprovalRequested: { aggregateType: 'approval', implied: { before: null, after: 'PENDING' } },
  ApprovalGranted: { aggregateType: 'approval', implied: { before: 'PENDING', after: 'GRANTED' } },
  ApprovalRefused: { aggregateType: 'approval', implied: { before: 'PENDING', after: 'REFUSED' } },
  WebhookEndpointChanged: { aggregateType: 'webhook-endpoint' },
  // The wrapped key is x-sensitive: withheld from the record like personal data.
  CustomerDataKeyIssued: { aggregateType: 'customer-data-key', implied: { before: null, after: 'ISSUED' } },
  CustomerErased: { aggregateType: 'customer-data-key', implied: { before: 'ISSUED', after: 'ERASED' } },
};

export const AUDITED_EVENT_TYPES: readonly AuditedEventType[] = Object.keys(AUDITED_EVENTS) as AuditedEventType[];

export function isAuditedEventType(eventType: string): eventType is AuditedEventType {
  return Object.hasOwn(AUDITED_EVENTS, eventType);
}
