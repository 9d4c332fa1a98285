import { randomUUID } from 'node:crypto';
import type { Permission } from '../../src/auth/permissions';

// THE RBAC MATRIX: one row per HTTP route of the gateway. rbac-matrix.int-spec.ts discovers the
// app's real routes from Nest's metadata and fails when a route has no row here, a row has no
// route, or a row's `access` is not what the route declares; then it calls every route as every
// role, for the caller's own merchant and (rows with `otherTenant`) for another merchant's resource.
//
// To add a route: add a row with its method, its path exactly as Nest declares it (`:param`), the
// permission it declares (or 'public' / 'authenticated'), and `request`: a minimal valid request
// for the caller's own merchant, built from the fixture (ids the suite created). If the route
// names a merchant's resource by id, add `otherTenant`: the same request naming merchant B's
// resource (the caller acts for A), which must answer 404 to whoever may use the route.

export interface MatrixFixture {
  /** The caller's merchant (A) and another (B), with one resource of each kind each. */
  readonly merchantA: string;
  readonly merchantB: string;
  readonly bookingA: string;
  readonly bookingB: string;
  readonly paymentA: string;
  readonly paymentB: string;
  /** A refund of paymentA and of paymentB. */
  readonly refundA: string;
  readonly refundB: string;
  /** A webhook endpoint of each. */
  readonly endpointA: string;
  readonly endpointB: string;
  /** A key of each merchant that no test credential uses (so revoking it locks nobody out). */
  readonly targetKeyA: string;
  readonly targetKeyB: string;
  /** A four-eyes request of each merchant, made by a staff user none of the matrix's credentials is. */
  readonly approvalA: string;
  readonly approvalB: string;
  /** A bookable resource of each (REQUESTED: no booking service runs in the suite). */
  readonly resourceA: string;
  readonly resourceB: string;
}

export interface MatrixRequest {
  readonly path: string;
  readonly body?: unknown;
}

export type Access = Permission | 'public' | 'authenticated';

export interface MatrixRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As Nest declares it, e.g. /v1/api-keys/:id. */
  readonly route: string;
  readonly access: Access;
  readonly request: (fixture: MatrixFixture) => MatrixRequest;
  /** The route names a merchant's resource: merchant B's, asked for by a caller acting for A. */
  readonly otherTenant?: (fixture: MatrixFixture) => MatrixRequest;
  /** What a platform-admin (acting for A) gets for B's resource: 404 unless the route is the platform's (merchants). */
  readonly platformAdminSeesOtherTenant?: boolean;
}

const slot = (): { startsAt: string; endsAt: string } => {
  const start = new Date(Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 1e6) * 3_600_000);
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3_600_000).toISOString() };
};

/** A customer of merchant A whose booking carried personal data: the erasure route's subject. */
export const RBAC_CUSTOMER = 'cus_rbac_personal';

export const BOOKING_BODY = (): unknown => ({ resourceId: 'room-1', slot: slot(), price: { amountMinor: 1000, currency: 'EUR' }, customerId: 'cus_1' });

export const RBAC_MATRIX: readonly MatrixRow[] = [
  // Public: the problem catalogue (the OpenAPI document and /docs are served outside Nest's router).
  { method: 'GET', route: '/problems', access: 'public', request: () => ({ path: '/problems' }) },
  { method: 'GET', route: '/problems/:type', access: 'public', request: () => ({ path: '/problems/not-found' }) },
  // Any credential.
  { method: 'GET', route: '/v1/me', access: 'authenticated', request: () => ({ path: '/v1/me' }) },
  // Merchants (platform).
  { method: 'POST', route: '/v1/merchants', access: 'merchants:manage', request: () => ({ path: '/v1/merchants', body: { id: `rbac-${randomUUID().slice(0, 8)}`, name: 'RBAC', defaultCurrency: 'EUR' } }) },
  { method: 'GET', route: '/v1/merchants', access: 'merchants:manage', request: () => ({ path: '/v1/merchants' }) },
  {
    method: 'GET',
    route: '/v1/merchants/:merchantId',
    access: 'authenticated',
    request: (f) => ({ path: `/v1/merchants/${f.merchantA}` }),
    otherTenant: (f) => ({ path: `/v1/merchants/${f.merchantB}` }),
    platformAdminSeesOtherTenant: true,
  },
  // API keys.
  { method: 'POST', route: '/v1/api-keys', access: 'keys:manage', request: () => ({ path: '/v1/api-keys', body: { name: 'rbac', role: 'support' } }) },
  { method: 'GET', route: '/v1/api-keys', access: 'keys:manage', request: () => ({ path: '/v1/api-keys' }) },
  { method: 'GET', route: '/v1/api-keys/:id', access: 'keys:manage', request: (f) => ({ path: `/v1/api-keys/${f.targetKeyA}` }), otherTenant: (f) => ({ path: `/v1/api-keys/${f.targetKeyB}` }) },
  { method: 'POST', route: '/v1/api-keys/:id/revoke', access: 'keys:manage', request: (f) => ({ path: `/v1/api-keys/${f.targetKeyA}/revoke` }), otherTenant: (f) => ({ path: `/v1/api-keys/${f.targetKeyB}/revoke` }) },
  // Four-eyes approvals (approve/refuse: the first decision wins, later ones are 409, still "allowed").
  { method: 'GET', route: '/v1/approvals', access: 'approvals:decide', request: () => ({ path: '/v1/approvals' }) },
  { method: 'GET', route: '/v1/approvals/:id', access: 'approvals:decide', request: (f) => ({ path: `/v1/approvals/${f.approvalA}` }), otherTenant: (f) => ({ path: `/v1/approvals/${f.approvalB}` }) },
  { method: 'POST', route: '/v1/approvals/:id/approve', access: 'approvals:decide', request: (f) => ({ path: `/v1/approvals/${f.approvalA}/approve` }), otherTenant: (f) => ({ path: `/v1/approvals/${f.approvalB}/approve` }) },
  { method: 'POST', route: '/v1/approvals/:id/refuse', access: 'approvals:decide', request: (f) => ({ path: `/v1/approvals/${f.approvalA}/refuse`, body: {} }), otherTenant: (f) => ({ path: `/v1/approvals/${f.approvalB}/refuse`, body: {} }) },
  // Bookings.
  { method: 'POST', route: '/v1/resources', access: 'resources:write', request: () => ({ path: '/v1/resources', body: { resourceId: 'court-x', name: 'Court X' } }) },
  { method: 'GET', route: '/v1/resources', access: 'resources:read', request: () => ({ path: '/v1/resources' }) },
  { method: 'GET', route: '/v1/resources/:resourceId', access: 'resources:read', request: (f) => ({ path: `/v1/resources/${f.resourceA}` }), otherTenant: (f) => ({ path: `/v1/resources/${f.resourceB}` }) },
  { method: 'POST', route: '/v1/bookings', access: 'bookings:write', request: () => ({ path: '/v1/bookings', body: BOOKING_BODY() }) },
  { method: 'GET', route: '/v1/bookings', access: 'bookings:read', request: () => ({ path: '/v1/bookings' }) },
  { method: 'GET', route: '/v1/bookings/:id', access: 'bookings:read', request: (f) => ({ path: `/v1/bookings/${f.bookingA}` }), otherTenant: (f) => ({ path: `/v1/bookings/${f.bookingB}` }) },
  { method: 'POST', route: '/v1/bookings/:id/cancel', access: 'bookings:write', request: (f) => ({ path: `/v1/bookings/${f.bookingA}/cancel`, body: {} }), otherTenant: (f) => ({ path: `/v1/bookings/${f.bookingB}/cancel`, body: {} }) },
  { method: 'POST', route: '/v1/bookings/:id/complete', access: 'bookings:write', request: (f) => ({ path: `/v1/bookings/${f.bookingA}/complete`, body: {} }), otherTenant: (f) => ({ path: `/v1/bookings/${f.bookingB}/complete`, body: {} }) },
  // Payments. paymentA is AUTHORIZED: a refund of it is refused with 409 (allowed, by the route's rules).
  { method: 'POST', route: '/v1/payments/:id/refunds', access: 'payments:refund', request: (f) => ({ path: `/v1/payments/${f.paymentA}/refunds`, body: { amount: { amountMinor: 100, currency: 'EUR' } } }), otherTenant: (f) => ({ path: `/v1/payments/${f.paymentB}/refunds`, body: { amount: { amountMinor: 100, currency: 'EUR' } } }) },
  { method: 'GET', route: '/v1/payments/:id/refunds', access: 'payments:read', request: (f) => ({ path: `/v1/payments/${f.paymentA}/refunds` }), otherTenant: (f) => ({ path: `/v1/payments/${f.paymentB}/refunds` }) },
  { method: 'GET', route: '/v1/payments/:id/refunds/:refundId', access: 'payments:read', request: (f) => ({ path: `/v1/payments/${f.paymentA}/refunds/${f.refundA}` }), otherTenant: (f) => ({ path: `/v1/payments/${f.paymentB}/refunds/${f.refundB}` }) },
  { method: 'GET', route: '/v1/payments', access: 'payments:read', request: () => ({ path: '/v1/payments' }) },
  { method: 'GET', route: '/v1/payments/:id', access: 'payments:read', request: (f) => ({ path: `/v1/payments/${f.paymentA}` }), otherTenant: (f) => ({ path: `/v1/payments/${f.paymentB}` }) },
  // Sagas.
  { method: 'GET', route: '/v1/sagas/attention', access: 'sagas:read', request: () => ({ path: '/v1/sagas/attention' }) },
  // Ledger. An account is named by its id, but another merchant's account reads as an empty list,
  // exactly like an account of one's own that has no entries: nothing to leak, so no otherTenant row.
  { method: 'GET', route: '/v1/ledger/balances', access: 'ledger:read', request: () => ({ path: '/v1/ledger/balances' }) },
  { method: 'GET', route: '/v1/ledger/accounts/:accountId/entries', access: 'ledger:read', request: (f) => ({ path: `/v1/ledger/accounts/ESCROW:${f.merchantA}:EUR/entries` }) },
  // The merchant's refund policy (a PUT from every role allowed: each is the latest asked for, all valid).
  { method: 'GET', route: '/v1/refund-policy', access: 'policies:read', request: () => ({ path: '/v1/refund-policy' }) },
  { method: 'PUT', route: '/v1/refund-policy', access: 'policies:write', request: () => ({ path: '/v1/refund-policy', body: { tiers: [{ minNoticeSeconds: 86_400, refundBp: 10_000 }], otherwiseBp: 0 } }) },
  // Webhook endpoints (the matrix creates at most one per role allowed: far below the bound of 16).
  { method: 'POST', route: '/v1/webhook-endpoints', access: 'webhooks:manage', request: () => ({ path: '/v1/webhook-endpoints', body: { url: 'https://merchant.example/hooks' } }) },
  { method: 'GET', route: '/v1/webhook-endpoints', access: 'webhooks:manage', request: () => ({ path: '/v1/webhook-endpoints' }) },
  { method: 'GET', route: '/v1/webhook-endpoints/:id', access: 'webhooks:manage', request: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointA}` }), otherTenant: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointB}` }) },
  { method: 'POST', route: '/v1/webhook-endpoints/:id/disable', access: 'webhooks:manage', request: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointA}/disable` }), otherTenant: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointB}/disable` }) },
  { method: 'POST', route: '/v1/webhook-endpoints/:id/enable', access: 'webhooks:manage', request: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointA}/enable` }), otherTenant: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointB}/enable` }) },
  { method: 'POST', route: '/v1/webhook-endpoints/:id/rotate-secret', access: 'webhooks:manage', request: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointA}/rotate-secret` }), otherTenant: (f) => ({ path: `/v1/webhook-endpoints/${f.endpointB}/rotate-secret` }) },
  // Reconciliation's breaks: a list in the caller's merchant scope, nothing named by id.
  { method: 'GET', route: '/v1/reconciliation/breaks', access: 'recon:read', request: () => ({ path: '/v1/reconciliation/breaks?status=OPEN' }) },
  // A customer's erasure: customer ids are the merchant's own, so the path names A's customer for whoever acts for A (202, then ALREADY_ERASED).
  { method: 'POST', route: '/v1/customers/:customerId/erasure', access: 'customers:erase', request: () => ({ path: `/v1/customers/${RBAC_CUSTOMER}/erasure`, body: {} }) },
  // The audit trail: the caller's own chain (a merchant's caller naming another chain is a 403, tested end to end).
  { method: 'GET', route: '/v1/audit-records', access: 'audit:read', request: () => ({ path: '/v1/audit-records?limit=5' }) },
];
