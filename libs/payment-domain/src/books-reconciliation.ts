import type { PaymentStatus } from './payment';

/**
 * Reconciliation of our payments with the ledger's books and the bookings' statuses — the other
 * two legs of the three-way reconciliation (the PSP leg is reconcilePayments). Pure: the service
 * reads what the ledger and booking events said about each payment (its own projections of those
 * topics: no service reads another's tables) in the same snapshot as the payments.
 *
 * The ledger is compared on PSP clearing, not entry by entry: every cent the PSP moves for a payment
 * is booked through that account (a capture to escrow or to suspense debits it, a refund credits it),
 * so whatever entries the ledger chose, its clearing must show what the payment says the PSP took
 * and gave back. Money on SUSPENSE is real money the books could not place: a finding until a person
 * moves it, explained here from the three sides.
 */

/** What the ledger's events say about one payment (EntryPosted, LedgerBreakRaised, HoldPlaced). */
export interface LedgerView {
  readonly entries: number;
  /** Currencies of its entries' lines. */
  readonly currencies: readonly string[];
  /** PSP clearing debited: money the PSP took in for this payment. */
  readonly clearingInMinor: bigint;
  /** PSP clearing credited: money the PSP gave back. */
  readonly clearingOutMinor: bigint;
  /** SUSPENSE credits less debits: money of this payment the books have not placed. */
  readonly suspenseMinor: bigint;
  /** An ESCROW_RELEASE entry: the merchant was paid from escrow. */
  readonly released: boolean;
  /** An ADJUSTMENT entry: a person placed this payment's money by hand (a break explained, `ledger explain`). */
  readonly adjusted: boolean;
  /** A HoldPlaced: the ledger knew of the authorization. */
  readonly holdPlaced: boolean;
  /** LedgerBreakRaised about the payment or its booking. */
  readonly breaks: readonly { readonly kind: string; readonly code: string; readonly factEventType: string; readonly reason: string }[];
}

/** What the booking's events say: its last status (HELD, CONFIRMED, CANCELLED, EXPIRED, COMPLETED, REJECTED). */
export interface BookingView {
  readonly status: string;
}

/** A payment as the books leg reads it. */
export interface BooksPaymentRecord {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly status: PaymentStatus;
  readonly currency: string;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly disputed: boolean;
  readonly callInFlight: boolean;
  readonly createdAt: Date;
  /** The last change of the payment: its events may still be on their way to the ledger and booking. */
  readonly changedAt: Date;
}

export type BooksBreakKind = 'MISSING_IN_LEDGER' | 'MISSING_IN_BOOKINGS' | 'AMOUNT_MISMATCH' | 'CURRENCY_MISMATCH' | 'STATUS_MISMATCH' | 'IN_SUSPENSE';

/** Which two records disagree: payments and the ledger, or the saga's statuses (booking ↔ payment ↔ ledger). */
export type BooksLeg = 'PAYMENTS_LEDGER' | 'SAGA';

export interface BooksFinding {
  readonly kind: BooksBreakKind;
  readonly leg: BooksLeg;
  readonly paymentId: string;
  readonly tenantId: string;
  readonly detail: string;
  /** Why, as far as the three sides tell it; null when they do not. */
  readonly explanation: string | null;
}

export interface BooksOutcome {
  readonly findings: readonly BooksFinding[];
  /** Payments on which the ledger and the booking agree with the payment. */
  readonly agreeing: readonly string[];
  /** Payments changed too recently (or with a call under way) to judge: their events may be in transit. */
  readonly notYetJudged: readonly string[];
}

export interface BooksJudgement {
  /** Payments changed after this are not judged in this run. */
  readonly settledBefore: Date;
  /** The projections started here: payments created earlier may predate what they saw. */
  readonly viewsSince: Date;
  /** Payments whose PSP leg agreed in this run: an explanation can say the money is real. */
  readonly pspAgrees: ReadonlySet<string>;
}

const NO_LEDGER: LedgerView = { entries: 0, currencies: [], clearingInMinor: 0n, clearingOutMinor: 0n, suspenseMinor: 0n, released: false, adjusted: false, holdPlaced: false, breaks: [] };
const MOVED_MONEY: ReadonlySet<PaymentStatus> = new Set(['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const BOOKING_WANTS_MONEY: ReadonlySet<string> = new Set(['CONFIRMED', 'COMPLETED']);
const BOOKING_ENDED_WITHOUT_SERVICE: ReadonlySet<string> = new Set(['CANCELLED', 'EXPIRED', 'REJECTED']);
// CAPTURE_FAILED may still turn into a capture, but a settled booking that wants money and a payment that has none is the saga stuck.
const NEVER_CHARGED: ReadonlySet<PaymentStatus> = new Set(['VOIDED', 'FAILED', 'CAPTURE_FAILED']);

function capturedOf(payment: BooksPaymentRecord): bigint {
  return MOVED_MONEY.has(payment.status) ? payment.capturedMinor : 0n;
}

function ledgerBreaksSaid(ledger: LedgerView, kinds: readonly string[]): string | null {
  const said = ledger.breaks.filter((found) => kinds.includes(found.kind));
  return said.length === 0 ? null : said.map((found) => `the ledger raised ${found.kind} (${found.code}) on ${found.factEventType}: ${found.reason}`).join('; ');
}

/** Why money of this payment is on SUSPENSE, from what the three sides say. */
function suspenseExplanation(payment: BooksPaymentRecord, ledger: LedgerView, pspAgrees: boolean): string {
  const parts: string[] = [];
  parts.push(pspAgrees ? `the PSP and the payment agree: captured ${payment.capturedMinor}, refunded ${payment.refundedMinor} ${payment.currency}, so the money is real` : `the PSP leg has not confirmed this payment in this run`);
  const said = ledgerBreaksSaid(ledger, ['CAPTURE_UNPLACED', 'REFUND_UNPLACED', 'FACT_UNREADABLE']);
  if (said !== null) parts.push(said);
  if (!ledger.holdPlaced && payment.capturedMinor > 0n) {
    const authorization = ledgerBreaksSaid(ledger, ['AUTHORIZATION_UNPLACED']);
    parts.push(authorization === null ? 'the ledger never placed a hold for the authorization (its PaymentAuthorized was not booked)' : `the authorization's hold was not placed: ${authorization}`);
  }
  parts.push('a person moves it with an adjusting entry once the cause is fixed; the break closes when SUSPENSE of this payment is 0');
  return parts.join('; ');
}

function compareLedger(payment: BooksPaymentRecord, ledger: LedgerView, pspAgrees: boolean, findings: BooksFinding[]): boolean {
  const about = { leg: 'PAYMENTS_LEDGER' as const, paymentId: payment.paymentId, tenantId: payment.tenantId };
  const captured = capturedOf(payment);
  const refunded = captured === 0n ? 0n : payment.refundedMinor;
  const foreign = ledger.currencies.filter((currency) => currency !== payment.currency);
  if (foreign.length > 0) {
    findings.push({ ...about, kind: 'CURRENCY_MISMATCH', detail: `the ledger booked this payment in ${foreign.join(', ')}, the payment is in ${payment.currency}`, explanation: null });
    return false;
  }
  if (captured > 0n && ledger.clearingInMinor === 0n) {
    findings.push({ ...about, kind: 'MISSING_IN_LEDGER', detail: `the payment is ${payment.status} (captured ${captured} ${payment.currency}) and the ledger booked nothing the PSP took in for it`, explanation: ledgerBreaksSaid(ledger, ['FACT_UNREADABLE', 'CAPTURE_UNPLACED']) });
    return false;
  }
  if (ledger.clearingInMinor !== captured || ledger.clearingOutMinor !== refunded) {
    findings.push({ ...about, kind: 'AMOUNT_MISMATCH', detail: `the payment captured ${captured} and refunded ${refunded} ${payment.currency}; the ledger's PSP clearing took in ${ledger.clearingInMinor} and gave back ${ledger.clearingOutMinor}`, explanation: ledgerBreaksSaid(ledger, ['CAPTURE_UNPLACED', 'REFUND_UNPLACED']) });
    return false;
  }
  if (ledger.suspenseMinor !== 0n) {
    findings.push({ ...about, kind: 'IN_SUSPENSE', detail: `${ledger.suspenseMinor} ${payment.currency} of this payment is on SUSPENSE`, explanation: suspenseExplanation(payment, ledger, pspAgrees) });
    return false;
  }
  return true;
}

function compareSaga(payment: BooksPaymentRecord, booking: BookingView | undefined, ledger: LedgerView, findings: BooksFinding[]): boolean {
  const about = { leg: 'SAGA' as const, paymentId: payment.paymentId, tenantId: payment.tenantId };
  const captured = capturedOf(payment);
  const kept = captured - (captured === 0n ? 0n : payment.refundedMinor);
  if (booking === undefined || booking.status === 'REJECTED') {
    if (captured === 0n) return true;
    findings.push({ ...about, kind: 'MISSING_IN_BOOKINGS', detail: `the payment captured ${captured} ${payment.currency} for booking ${payment.bookingId}, which ${booking === undefined ? 'no booking event names' : 'was rejected'}`, explanation: null });
    return false;
  }
  if (BOOKING_WANTS_MONEY.has(booking.status) && NEVER_CHARGED.has(payment.status)) {
    findings.push({ ...about, kind: 'STATUS_MISMATCH', detail: `the booking is ${booking.status}, its payment ${payment.status}`, explanation: null });
    return false;
  }
  if (BOOKING_ENDED_WITHOUT_SERVICE.has(booking.status) && kept > 0n) {
    findings.push({ ...about, kind: 'STATUS_MISMATCH', detail: `the booking is ${booking.status} and ${kept} ${payment.currency} of its capture was never refunded`, explanation: null });
    return false;
  }
  if (booking.status === 'HELD' && captured > 0n) {
    findings.push({ ...about, kind: 'STATUS_MISMATCH', detail: `the booking is still HELD and its payment captured ${captured} ${payment.currency}`, explanation: null });
    return false;
  }
  // A person who moved the capture out of SUSPENSE by hand has said where it belongs: not a release,
  // but answered (were it wrong, the clearing totals above would show it).
  if (booking.status === 'COMPLETED' && kept > 0n && !ledger.released && !ledger.adjusted && !payment.disputed) {
    const onSuspense = ledger.suspenseMinor === 0n ? null : `its capture is on SUSPENSE (${ledger.suspenseMinor} ${payment.currency}), so there is no escrow to release`;
    findings.push({ ...about, kind: 'MISSING_IN_LEDGER', detail: `the booking is COMPLETED and the ledger never released its escrow (${kept} ${payment.currency} captured)`, explanation: onSuspense ?? ledgerBreaksSaid(ledger, ['RELEASE_BLOCKED']) });
    return false;
  }
  return true;
}

/**
 * Every payment of the window against the ledger's view of it and its booking's status. A payment
 * changed after `settledBefore`, or with a call under way, is not judged (its events may be in
 * transit); one created before the projections started is judged on nothing here.
 */
export function reconcileBooks(
  payments: readonly BooksPaymentRecord[],
  ledger: ReadonlyMap<string, LedgerView>,
  bookings: ReadonlyMap<string, BookingView>,
  judgement: BooksJudgement,
): BooksOutcome {
  const findings: BooksFinding[] = [];
  const agreeing: string[] = [];
  const notYetJudged: string[] = [];
  for (const payment of payments) {
    if (payment.createdAt.getTime() < judgement.viewsSince.getTime()) {
      agreeing.push(payment.paymentId);
      continue;
    }
    if (payment.callInFlight || payment.changedAt.getTime() > judgement.settledBefore.getTime()) {
      notYetJudged.push(payment.paymentId);
      continue;
    }
    const books = ledger.get(payment.paymentId) ?? NO_LEDGER;
    const ledgerAgrees = compareLedger(payment, books, judgement.pspAgrees.has(payment.paymentId), findings);
    const sagaAgrees = compareSaga(payment, bookings.get(payment.bookingId), books, findings);
    if (ledgerAgrees && sagaAgrees) agreeing.push(payment.paymentId);
  }
  return { findings, agreeing, notYetJudged };
}
