import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// Breaks: payment's between the PSP and payments (services/payment/src/application/apply-psp-events/
// break-recorder.ts, reconcile/reconciliation.ts) and the ledger's facts it could not place
// (services/ledger/src/application/breaks). Every one of these gauges is read from a table at
// scrape time, so every instance reports the same figure: max across instances, never sum.

// A scheduled run every 15 min by default (PAYMENT_RECON_INTERVAL_MS). The red bands are
// money.rules.yml's: a break open longer than two runs (PaymentPspBreakOpen), no complete run
// for an hour (ReconciliationStale).
const RECON_RUN_INTERVAL_S = 15 * 60;
const HOUR_S = 3_600;

export const RECONCILIATION: DashboardDefinition = {
  uid: 'txn-reconciliation',
  title: 'Reconciliation and breaks',
  description: 'Open breaks between the PSP, payments and the ledger, how old the oldest is, and whether reconciliation still runs (./platform recon breaks, ./platform ledger breaks).',
  sections: [
    {
      title: 'Do the books agree?',
      panels: [
        {
          kind: 'figure',
          title: 'Open PSP breaks',
          description: 'Differences between the PSP and payments not yet resolved, all kinds. Each is settled by a later run that finds the sides agreeing, or by a person.',
          unit: 'short',
          query: { expr: 'sum(max by (kind) (payment_psp_breaks_open))' },
          bands: { red: 1 },
        },
        {
          kind: 'figure',
          title: 'Oldest open PSP break',
          description: 'Age of the oldest unresolved break between the PSP and payments; 0 when none is open.',
          unit: 's',
          query: { expr: 'max(payment_psp_break_oldest_open_seconds)' },
          bands: { yellow: RECON_RUN_INTERVAL_S, red: 2 * RECON_RUN_INTERVAL_S },
        },
        {
          kind: 'figure',
          title: 'Open ledger breaks',
          description: 'Facts the ledger booked to suspense or could not place, not explained yet: a person\'s work (./platform ledger breaks).',
          unit: 'short',
          query: { expr: 'sum(max by (kind) (ledger_breaks_open))' },
          bands: { red: 1 },
        },
        {
          kind: 'figure',
          title: 'Since the last complete reconciliation',
          description: 'Seconds since a reconciliation run last saw its whole window on every side (any instance). A run that could not see everything fails loudly and does not reset this.',
          unit: 's',
          query: { expr: 'max(payment_recon_last_success_age_seconds)' },
          bands: { yellow: 2 * RECON_RUN_INTERVAL_S, red: HOUR_S },
        },
      ],
    },
    {
      title: 'Breaks by kind',
      panels: [
        {
          kind: 'graph',
          title: 'Open PSP breaks by kind',
          description: 'Unresolved breaks between the PSP and payments, by kind.',
          unit: 'short',
          queries: [{ expr: 'max by (kind) (payment_psp_breaks_open)', legend: '{{kind}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'Open ledger breaks by kind',
          description: 'CAPTURE_UNPLACED, REFUND_UNPLACED, RELEASE_BLOCKED …: facts the books could not place, by kind.',
          unit: 'short',
          queries: [{ expr: 'max by (kind) (ledger_breaks_open)', legend: '{{kind}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'PSP breaks raised and resolved',
          description: 'Breaks raised and resolved per second, by kind: raised steadily above resolved is a backlog growing.',
          unit: 'ops',
          queries: [
            { expr: `sum by (kind) (rate(payment_psp_breaks_raised_total${RATE}))`, legend: 'raised {{kind}}' },
            { expr: `sum by (kind) (rate(payment_psp_breaks_resolved_total${RATE}))`, legend: 'resolved {{kind}}' },
          ],
        },
        {
          kind: 'graph',
          title: 'Reconciliation runs by outcome (last 6 h)',
          description: 'Runs by trigger (SCHEDULE, COMMAND) and outcome: CLEAN, BREAKS (found some), FAILED (could not see its whole window).',
          unit: 'short',
          queries: [{ expr: 'sum by (trigger, outcome) (increase(payment_recon_runs_total[6h]))', legend: '{{trigger}} {{outcome}}' }],
        },
      ],
    },
  ],
};
