import type { Counter } from 'prom-client';
import { nextAttemptDelay, renderEmail, type EmailAmount, type EmailModel, type RetryPolicy } from '@txn/notification-domain';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { CustomerEmails, DueEmail, EmailNext, EmailSender } from '../ports';

export interface EmailAnnouncer {
  sent(tx: SqlTransaction, email: DueEmail, smtpResponse: string, at: Date): Promise<void>;
}

export interface EmailDependencies {
  readonly transactions: Transactions;
  readonly emails: CustomerEmails;
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

async function sendOne(email: DueEmail, dependencies: EmailDependencies): Promise<void> {
  const attemptedAt = dependencies.clock();
  let next: EmailNext;
  const address = email.booking?.email;
  if (email.booking === undefined || address === null || address === undefined) {
    next = emailAfterFailure(email, 'waiting for the booking (its BookingHeld has not been read yet)', attemptedAt, dependencies.policy, dependencies.random());
  } else {
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
