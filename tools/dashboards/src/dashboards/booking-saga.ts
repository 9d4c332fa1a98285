import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// The booking saga as the booking service decides it (services/booking: booking_decisions_total
// from the settle path, the deadline watcher's booking_sagas_overdue and booking_saga_timeouts_total)
// and the ledger's side of its end, the escrow release that waits for its capture.
// booking_sagas_overdue and the ledger's gauges read the database: every instance reports the same
// figure, so they are aggregated with max, never sum.

// The saga's happy path, in order: a request holds the slot, the payment is authorized and captured, the booking completes.
const FUNNEL = ['RequestBooking', 'PaymentAuthorized', 'PaymentCaptured', 'CompleteBooking'];

export const BOOKING_SAGA: DashboardDefinition = {
  uid: 'txn-booking-saga',
  title: 'Booking saga',
  description: 'The saga from request to completion: decisions by message type and outcome, sagas past their deadline, timeouts, and escrow releases waiting for their capture (./platform sagas overdue).',
  sections: [
    {
      title: 'Stuck sagas',
      panels: [
        {
          kind: 'figure',
          title: 'Sagas past their deadline',
          description: 'Live bookings past the deadline of their stage by more than the watcher\'s interval: the watcher should have ended them. Any above 0 for long: ./platform sagas overdue.',
          unit: 'short',
          query: { expr: 'sum(max by (stage) (booking_sagas_overdue))' },
          bands: { red: 1 },
        },
        {
          kind: 'figure',
          title: 'Timed out (last hour)',
          description: 'Sagas pushed to a terminal state by a deadline in the last hour, all stages.',
          unit: 'short',
          query: { expr: 'sum(increase(booking_saga_timeouts_total[1h]))' },
        },
        {
          kind: 'figure',
          title: 'Escrow releases waiting for their capture',
          description: 'Completed bookings whose release the ledger holds until the capture arrives.',
          unit: 'short',
          query: { expr: 'max(ledger_release_requests_waiting)' },
        },
        {
          kind: 'figure',
          title: 'Oldest waiting release',
          description: 'Seconds of waiting are lag between two topics; hours mean the capture never came and the merchant is not being paid.',
          unit: 's',
          query: { expr: 'max(ledger_release_request_oldest_age_seconds)' },
          bands: { yellow: 300, red: 3_600 },
        },
        {
          kind: 'graph',
          title: 'Overdue sagas by stage',
          description: 'HOLD: a hold nobody paid for; CAPTURE: an authorization not captured; COMPLETION: a captured booking not completed.',
          unit: 'short',
          queries: [{ expr: 'max by (stage) (booking_sagas_overdue)', legend: '{{stage}}' }],
          bands: { red: 1 },
        },
        {
          kind: 'graph',
          title: 'Timeouts by stage',
          description: 'Sagas ended by a BookingDeadlineReached, per second, by the stage whose deadline passed.',
          unit: 'ops',
          queries: [{ expr: `sum by (stage) (rate(booking_saga_timeouts_total${RATE}))`, legend: '{{stage}}' }],
        },
      ],
    },
    {
      title: 'Funnel',
      panels: [
        {
          kind: 'bars',
          title: 'Applied decisions along the saga (time range)',
          description: 'How many bookings passed each step of the happy path in the selected time range: requested, authorized, captured, completed. The drop between two bars is where sagas leave.',
          unit: 'short',
          queries: FUNNEL.map((messageType) => ({
            expr: `sum(increase(booking_decisions_total{message_type="${messageType}", outcome="applied"}[$__range]))`,
            legend: messageType,
          })),
        },
        {
          kind: 'graph',
          title: 'Decisions by message type and outcome',
          description: 'Every decision of the booking service per second: applied, stale (already past that step) or rejected.',
          unit: 'ops',
          queries: [{ expr: `sum by (message_type, outcome) (rate(booking_decisions_total${RATE}))`, legend: '{{message_type}} {{outcome}}' }],
          stacked: true,
        },
        {
          kind: 'table',
          title: 'Not applied, by reason (time range)',
          description: 'Stale and rejected decisions in the selected time range by message type and reason: a rising reason is a bug or a client doing something new.',
          unit: 'short',
          queries: [{ expr: 'sum by (message_type, outcome, reason) (increase(booking_decisions_total{outcome!="applied"}[$__range])) > 0' }],
          width: 'full',
        },
      ],
    },
  ],
};
