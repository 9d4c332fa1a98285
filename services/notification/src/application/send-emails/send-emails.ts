import type { Counter } from 'prom-client';
import { nextAttemptDelay, renderEmail, type EmailAmount, type EmailModel, type RetryPolicy } from '@txn/notification-domain';
import { customerAad, dataKeyAad, openField, sealedKeyId, unwrapDataKey, type MasterKeyring } from '@txn/personal-data';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { CustomerEmails, CustomerKeyCopies, DueEmail, EmailNext, EmailSender } from '../ports';

export interface EmailAnnouncer {
  sent(tx: SqlTransaction, email: DueEmail, smtpResponse: string, at: Date): Promise<void>;
}

export interface EmailDependencies {
  readonly transactions: Transactions;
  readonly emails: CustomerEmails;
  readonly keys: CustomerKeyCopies;
  /** What the customers' data keys are wrapped under (NOTIFICATION_PERSONAL_DATA_KEYRING_FILE); undefined: sealed addresses wait. */
  readonly keyring: MasterKeyring | undefined;
  readonly send: EmailSender;
  readonly instance: string;
  readonly policy: RetryPolicy;
  readonly batchSize: number;
  readonly lease_ms: number;
  readonly announcer: EmailAnnouncer;
  readonly clock: () => Date;
  readonly random: () => number;
  readonly attempts: Counter<'template' | 'outcome'>;
}

function amount(minor: string | undefined, currency: string | undefined): EmailAmount | undefined {
  return minor === undefined || currency === undefined ? undefined : { minor: BigInt(minor), currency };
}

/** The model a template renders: the booking as BookingHeld told it, and what this moment adds. */
export function emailModelOf(email: DueEmail): EmailModel {
  const { booking, facts } = email;
  if (booking === undefined) throw new Error(`booking ${email.bookingId} is not known yet`);
  const paid = amount(facts.amountMinor, facts.currency);
  const refunded = amount(facts.refundedMinor, facts.currency);
  return {
    bookingId: email.bookingId,
    resourceName: booking.resourceId,
    slotStart: booking.slotStart.toISOString(),
    slotEnd: booking.slotEnd.toISOString(),
    ...(paid === undefined ? {} : { amount: paid }),
    ...(refunded === undefined ? {} : { refundedAmount: refunded }),
    ...(facts.reason === undefined ? {} : { reason: facts.reason }),
  };
}

/** After a failure: due again after the backoff, or given up past the horizon (kept, visible, for a person). */
export function emailAfterFailure(email: DueEmail, error: string, attemptedAt: Date, policy: RetryPolicy, random01: number): EmailNext {
  const firstAttemptAt = email.firstAttemptAt ?? attemptedAt;
  const delay = nextAttemptDelay(policy, email.attempts + 1, attemptedAt.getTime() - firstAttemptAt.getTime(), random01);
  return delay === null ? { status: 'GAVE_UP', error } : { status: 'PENDING', nextAttemptAt: new Date(attemptedAt.getTime() + delay), error };
}

type Recipient = { readonly address: string } | { readonly waiting: string } | { readonly gone: string };

/**
 * The address to send to: opened, in memory only, with this service's copy of the customer's
 * data key. Not yet (the booking or the key not read yet: wait), or never (erased: give up).
 */
async function recipientOf(email: DueEmail, dependencies: EmailDependencies): Promise<Recipient> {
  const stored = email.booking?.email;
  if (email.booking === undefined) return { waiting: 'waiting for the booking (its BookingHeld has not been read yet)' };
  if (stored === null || stored === undefined) return { gone: 'the booking has no address' };
  const keyId = sealedKeyId(stored);
  if (keyId === undefined) return { address: stored };
  const copy = await dependencies.transactions((tx) => dependencies.keys.find(tx, keyId));
  if (copy === undefined) return { waiting: "waiting for the customer's data key (customer.keys.v1)" };
  if (copy.state === 'erased') return { gone: 'the customer was erased: their address is unreadable' };
  if (dependencies.keyring === undefined) return { waiting: 'no personal-data keyring configured (NOTIFICATION_PERSONAL_DATA_KEYRING_FILE)' };
  try {
    const dataKey = unwrapDataKey(dependencies.keyring, { masterKeyId: copy.masterKeyId, wrapped: copy.wrapped }, dataKeyAad(copy.tenantId, copy.customerId, keyId));
    return { address: openField(dataKey, stored, customerAad(copy.tenantId, copy.customerId)) };
  } catch (error) {
    // A master key missing from this service's keyring (a rotation half done): wait for the operator.
    return { waiting: `cannot open the address: ${(error as Error).message}` };
  }
}

async function sendOne(email: DueEmail, dependencies: EmailDependencies): Promise<void> {
  const attemptedAt = dependencies.clock();
  let next: EmailNext;
  const recipient = await recipientOf(email, dependencies);
  if ('gone' in recipient) {
    next = { status: 'GAVE_UP', error: recipient.gone };
  } else if ('waiting' in recipient) {
    next = emailAfterFailure(email, recipient.waiting, attemptedAt, dependencies.policy, dependencies.random());
  } else {
    const { address } = recipient;
    try {
      const rendered = renderEmail(email.template, emailModelOf(email));
      const smtpResponse = await dependencies.send({ messageId: email.messageId, to: address, ...rendered });
      next = { status: 'SENT', smtpResponse };
    } catch (error) {
      // Never the address or the body in the error kept: the SMTP server's answer is enough.
      next = emailAfterFailure(email, `${(error as Error).name}: ${(error as Error).message}`.replaceAll(address, '[address]').slice(0, 500), attemptedAt, dependencies.policy, dependencies.random());
    }
  }
  dependencies.attempts.inc({ template: email.template, outcome: next.status === 'SENT' ? 'sent' : next.status === 'GAVE_UP' ? 'gave_up' : 'retry' });
  await dependencies.transactions(async (tx) => {
    if (!(await dependencies.emails.recordAttempt(tx, email, next, attemptedAt, dependencies.instance))) return;
    if (next.status === 'SENT') await dependencies.announcer.sent(tx, email, next.smtpResponse, attemptedAt);
  });
}

/** One sender round: lease due messages (one instance each), render and send them, record each. */
export async function sendDueEmails(dependencies: EmailDependencies): Promise<IterationOutcome> {
  const due = await dependencies.transactions((tx) => dependencies.emails.leaseDue(tx, dependencies.instance, dependencies.batchSize, dependencies.lease_ms));
  for (const email of due) await sendOne(email, dependencies);
  return due.length === dependencies.batchSize ? 'more-due' : 'caught-up';
}
