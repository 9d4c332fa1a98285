import type { WebhookEndpointChanged } from '@txn/contracts';
import type { EmailTemplateName, OutboundOptions } from '@txn/notification-domain';
import type { SqlTransaction } from '@txn/sql';
import type { AttemptOutcome, DeliveryNext, EndpointHealth } from './delivery-rules';

/** An endpoint as delivery uses it, read afresh for every attempt (a rotation or a disable applies at once). */
export interface DeliverableEndpoint {
  readonly endpointId: string;
  readonly merchantId: string;
  readonly url: string;
  readonly secretVersion: number;
  readonly previousSecretValidUntil: Date | null;
  readonly health: EndpointHealth;
}

/** The notification service's copy of the merchants' endpoints, and the lease that gives one instance an endpoint at a time. */
export interface WebhookEndpoints {
  /** The gateway's change, in order; `reenabled` when it turned a DISABLED endpoint back on (the failure is then forgotten). */
  applyChange(tx: SqlTransaction, event: WebhookEndpointChanged): Promise<'stale' | { readonly reenabled: boolean }>;
  /** The merchant's endpoints subscribed to the type (`*` or the type), whatever their status: a disabled endpoint's deliveries wait for it. */
  subscribed(tx: SqlTransaction, merchantId: string, eventType: string): Promise<readonly string[]>;
  /** Leases up to `limit` endpoints whose oldest pending delivery is due, for this instance alone. */
  leaseDue(tx: SqlTransaction, instance: string, limit: number, lease_ms: number): Promise<readonly string[]>;
  /** The endpoint, if this instance still holds its lease and it is still delivering; the lease is renewed. */
  held(tx: SqlTransaction, endpointId: string, instance: string, lease_ms: number): Promise<DeliverableEndpoint | undefined>;
  release(tx: SqlTransaction, endpointId: string, instance: string): Promise<void>;
  recordHealth(tx: SqlTransaction, endpointId: string, health: EndpointHealth, succeeded: boolean, lastError: string | null): Promise<void>;
}

export interface NewDelivery {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly merchantId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly objectVersion: bigint;
  readonly occurredAt: Date;
  readonly payload: string;
}

/** The oldest pending delivery of an endpoint: the only one that may be attempted (order per endpoint). */
export interface HeadDelivery {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly attempts: number;
  readonly roundAttempts: number;
  readonly roundStartedAt: Date | null;
  readonly due: boolean;
}

/** How one attempt went, as the sender saw it. */
export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly latency_ms: number;
}

export interface WebhookDeliveries {
  /** One delivery per (endpoint, event): false when the event was read before. */
  insert(tx: SqlTransaction, delivery: NewDelivery): Promise<boolean>;
  head(tx: SqlTransaction, endpointId: string): Promise<HeadDelivery | undefined>;
  /** The attempt in the log (once: its number is the delivery's attempt count) and the delivery's next state; false when another wrote that attempt. */
  recordAttempt(tx: SqlTransaction, head: HeadDelivery, result: AttemptResult, startedAt: Date, next: DeliveryNext, instance: string): Promise<boolean>;
  pendingCount(tx: SqlTransaction, endpointId: string): Promise<bigint>;
  /** After a re-enable: what waited gets a new retry round, due now. */
  restartRounds(tx: SqlTransaction, endpointId: string): Promise<void>;
}

export interface SendOptions extends OutboundOptions {
  /** Connection to the last byte read. */
  readonly timeout_ms: number;
}

/** One POST to a receiver; never throws. */
export type WebhookSender = (url: string, body: string, headers: Readonly<Record<string, string>>, options: SendOptions) => Promise<AttemptResult>;

/** A booking as its customer's emails tell it (BookingHeld's facts; the address is personal data). */
export interface CustomerBooking {
  readonly bookingId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly email: string | null;
  readonly resourceId: string;
  readonly slotStart: Date;
  readonly slotEnd: Date;
  readonly price: { readonly minor: bigint; readonly currency: string };
}

/** What a moment adds to the booking in its email: amounts as decimal strings, a reason; never personal data. */
export interface EmailFacts {
  readonly amountMinor?: string;
  readonly refundedMinor?: string;
  readonly currency?: string;
  readonly reason?: string;
}

export interface NewEmail {
  readonly messageId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly template: EmailTemplateName;
  readonly facts: EmailFacts;
}

/** A message leased for sending, with its booking (undefined while the booking's BookingHeld has not been read yet). */
export interface DueEmail {
  readonly messageId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly template: EmailTemplateName;
  readonly facts: EmailFacts;
  readonly attempts: number;
  readonly firstAttemptAt: Date | null;
  readonly booking: CustomerBooking | undefined;
}

export type EmailNext = { readonly status: 'SENT'; readonly smtpResponse: string } | { readonly status: 'PENDING'; readonly nextAttemptAt: Date; readonly error: string } | { readonly status: 'GAVE_UP'; readonly error: string };

export interface CustomerEmails {
  /** The booking's facts, once (BookingHeld read again changes nothing). */
  recordBooking(tx: SqlTransaction, booking: CustomerBooking): Promise<void>;
  /** Whether the booking gave an address: `unknown` while its BookingHeld has not been read. */
  addressOf(tx: SqlTransaction, bookingId: string): Promise<'has-address' | 'no-address' | 'unknown'>;
  /** One message per (event, template): false when it exists. */
  enqueue(tx: SqlTransaction, email: NewEmail): Promise<boolean>;
  leaseDue(tx: SqlTransaction, instance: string, limit: number, lease_ms: number): Promise<readonly DueEmail[]>;
  /** The attempt's result, if this instance still holds the lease: false when it lost it. */
  recordAttempt(tx: SqlTransaction, email: DueEmail, next: EmailNext, attemptedAt: Date, instance: string): Promise<boolean>;
}

/** A rendered email to one address; resolves with the SMTP server's answer (its queue id), rejects when it refused. */
export type EmailSender = (message: { readonly messageId: string; readonly to: string; readonly subject: string; readonly text: string; readonly html: string }) => Promise<string>;

/** A customer's data key as this service holds it: wrapped, or erased (the copy destroyed). */
export type KeyCopy = { readonly state: 'held'; readonly tenantId: string; readonly customerId: string; readonly masterKeyId: string; readonly wrapped: string } | { readonly state: 'erased' };

/** This service's copies of customers' data keys (customer.keys.v1). */
export interface CustomerKeyCopies {
  /** A key read for the first time is kept, a rewrapped one replaces its copy; a key already erased stays erased. */
  record(tx: SqlTransaction, key: { readonly keyId: string; readonly tenantId: string; readonly customerId: string; readonly masterKeyId: string; readonly wrapped: string }): Promise<boolean>;
  /** The copy destroyed (a tombstone if the key was never read). */
  erase(tx: SqlTransaction, key: { readonly keyId: string; readonly tenantId: string; readonly customerId: string }): Promise<boolean>;
  /** undefined while the key has not been read yet. */
  find(tx: SqlTransaction, keyId: string): Promise<KeyCopy | undefined>;
}
