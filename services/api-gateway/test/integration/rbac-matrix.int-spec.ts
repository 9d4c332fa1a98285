import { randomUUID } from 'node:crypto';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '../../src/auth/permissions';
import { AUTHENTICATED_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION } from '../../src/auth/principal';
import { BOOKING_BODY, RBAC_CUSTOMER, RBAC_MATRIX, type Access, type MatrixFixture, type MatrixRequest, type MatrixRow } from './rbac-matrix';
import { startGatewayInProcess, type GatewayInProcess } from './support';
import { newMasterKeyLine, parseMasterKeyring } from '@txn/personal-data';
import { staffTokenMinter } from './staff-tokens';

// Every route × every role × own merchant / another merchant's resource, against ROLE_PERMISSIONS,
// over real HTTP on the gateway in-process (real PostgreSQL, Kafka, registry). The table is
// rbac-matrix.ts; this file discovers the real routes and fails when the two disagree.

interface DiscoveredRoute {
  readonly key: string;
  readonly access: Access | 'undeclared';
}

/** The app's HTTP routes as Nest registered them: every controller method with a path and a request method. */
function discoverRoutes(gateway: GatewayInProcess): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = [];
  for (const module of gateway.service.app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new () => object) | null;
      if (type === null || typeof type !== 'function') continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        const read = (key: string): unknown => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, type);
        const access: DiscoveredRoute['access'] = read(PUBLIC_ROUTE) === true ? 'public' : ((read(REQUIRED_PERMISSION) as Permission | undefined) ?? (read(AUTHENTICATED_ROUTE) === true ? 'authenticated' : 'undeclared'));
        routes.push({ key: `${RequestMethod[method]} ${full}`, access });
      }
    }
  }
  return routes;
}

describe('api-gateway RBAC matrix: every route × every role × own/other merchant (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let fixture: MatrixFixture;
  const credentials = new Map<Role, { token: string; headers: Record<string, string> }>();

  async function call(method: string, request: MatrixRequest, credential?: { token: string; headers: Record<string, string> }): Promise<number> {
    const headers: Record<string, string> = { ...(credential === undefined ? {} : { authorization: `Bearer ${credential.token}`, ...credential.headers }), 'idempotency-key': randomUUID() };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${gateway.baseUrl}${request.path}`, { method, headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }) });
    await response.arrayBuffer();
    return response.status;
  }

  beforeAll(async () => {
    const staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-rbac', settings: { staffTokens: staff.settings, webhookSigningKey: 'rbac-webhook-signing-key', personalDataKeyring: parseMasterKeyring(newMasterKeyLine('rbac')) } });
    const admin = await staff.mint({ sub: 'rbac-admin', roles: ['platform-admin'] });
    const as = (merchant: string): { token: string; headers: Record<string, string> } => ({ token: admin, headers: { 'txn-merchant': merchant } });
    const json = async (method: string, request: MatrixRequest, credential: { token: string; headers: Record<string, string> }): Promise<Record<string, string>> => {
      const response = await fetch(`${gateway.baseUrl}${request.path}`, { method, headers: { authorization: `Bearer ${credential.token}`, ...credential.headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(request.body) });
      if (response.status >= 300) throw new Error(`${method} ${request.path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, string>;
    };
    for (const id of ['rbac-a', 'rbac-b']) await json('POST', { path: '/v1/merchants', body: { id, name: id, defaultCurrency: 'EUR' } }, { token: admin, headers: {} });
    const approver = await staff.mint({ sub: 'rbac-approver', roles: ['platform-admin'] });
    // An owner key asked for by staff takes four eyes: requested by the admin, approved by another.
    const key = async (merchant: string, role: string): Promise<Record<string, string>> => {
      const created = await json('POST', { path: '/v1/api-keys', body: { name: `rbac ${role}`, role } }, as(merchant));
      if (role !== 'owner') return created;
      return (await json('POST', { path: `/v1/approvals/${created.id ?? ''}/approve` }, { token: approver, headers: { 'txn-merchant': merchant } })).key as unknown as Record<string, string>;
    };
    const booking = async (merchant: string): Promise<string> => (await json('POST', { path: '/v1/bookings', body: BOOKING_BODY() }, as(merchant))).id ?? '';
    const payment = async (merchant: string): Promise<string> => {
      const id = randomUUID();
      await gateway.pool.query("INSERT INTO payment_views (merchant_id, payment_id, booking_id, status, currency, amount_minor, created_at, updated_at, version) VALUES ($1, $2, $3, 'AUTHORIZED', 'EUR', 1000, now(), now(), 1)", [merchant, id, randomUUID()]);
      return id;
    };
    const refund = async (merchant: string, paymentId: string): Promise<string> => {
      const id = randomUUID();
      await gateway.pool.query(
        "INSERT INTO refund_views (merchant_id, refund_id, payment_id, booking_id, status, amount_minor, currency, reason, version, applied_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'PENDING', 100, 'EUR', 'RBAC', 1, now(), now(), now())",
        [merchant, id, paymentId, randomUUID()],
      );
      return id;
    };
    const endpoint = async (merchant: string): Promise<string> => (await json('POST', { path: '/v1/webhook-endpoints', body: { url: `https://${merchant}.example/hooks` } }, as(merchant))).id ?? '';
    const resource = async (merchant: string): Promise<string> => (await json('POST', { path: '/v1/resources', body: { resourceId: `court-${merchant}`, name: 'Court' } }, as(merchant))).id ?? '';
    const requester = await staff.mint({ sub: 'rbac-requester', roles: ['platform-admin'] });
    const approval = async (merchant: string): Promise<string> => (await json('POST', { path: '/v1/api-keys', body: { name: 'four eyes', role: 'owner' } }, { token: requester, headers: { 'txn-merchant': merchant } })).id ?? '';
    const [paymentA, paymentB] = [await payment('rbac-a'), await payment('rbac-b')];
    // A customer of A with personal data (so its erasure has a key to destroy).
    await json('POST', { path: '/v1/bookings', body: { ...(BOOKING_BODY() as object), customerId: RBAC_CUSTOMER, customerEmail: 'rbac@example.com' } }, as('rbac-a'));
    fixture = {
      merchantA: 'rbac-a',
      merchantB: 'rbac-b',
      bookingA: await booking('rbac-a'),
      bookingB: await booking('rbac-b'),
      paymentA,
      paymentB,
      refundA: await refund('rbac-a', paymentA),
      refundB: await refund('rbac-b', paymentB),
      endpointA: await endpoint('rbac-a'),
      endpointB: await endpoint('rbac-b'),
      targetKeyA: (await key('rbac-a', 'auditor')).id ?? '',
      targetKeyB: (await key('rbac-b', 'auditor')).id ?? '',
      approvalA: await approval('rbac-a'),
      approvalB: await approval('rbac-b'),
      resourceA: await resource('rbac-a'),
      resourceB: await resource('rbac-b'),
    };
    for (const role of ROLES) credentials.set(role, role === 'platform-admin' ? as('rbac-a') : { token: (await key('rbac-a', role)).key ?? '', headers: {} });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('has exactly one row per route of the app, declaring the access the route declares', () => {
    const discovered = discoverRoutes(gateway);
    const rows = new Map(RBAC_MATRIX.map((row) => [`${row.method} ${row.route}`, row.access]));
    expect(rows.size).toBe(RBAC_MATRIX.length);
    const missingRows = discovered.filter((route) => !rows.has(route.key)).map((route) => route.key);
    const missingRoutes = [...rows.keys()].filter((key) => !discovered.some((route) => route.key === key));
    expect({ routesWithoutRow: missingRows, rowsWithoutRoute: missingRoutes }).toEqual({ routesWithoutRow: [], rowsWithoutRoute: [] });
    expect(Object.fromEntries(discovered.map((route) => [route.key, route.access]))).toEqual(Object.fromEntries(rows));
  });

  const expectations = (row: MatrixRow, role: Role): { own: string; other: string } => {
    const allowed = row.access === 'public' || row.access === 'authenticated' || ROLE_PERMISSIONS[role].has(row.access);
    const otherVisible = role === 'platform-admin' && row.platformAdminSeesOtherTenant === true;
    return { own: allowed ? 'allowed' : '403', other: !allowed ? '403' : otherVisible ? 'allowed' : '404' };
  };
  const verdict = (status: number): string => (status === 401 || status === 403 || status === 404 ? String(status) : status >= 200 && status < 500 ? 'allowed' : `server error ${status}`);

  it.each(RBAC_MATRIX.map((row) => [`${row.method} ${row.route}`, row] as const))('%s: 401 without a credential, and as every role exactly what ROLE_PERMISSIONS says, for its own merchant and another\u2019s', async (_name, row) => {
    const seen: Record<string, unknown> = {};
    const wanted: Record<string, unknown> = {};
    seen['anonymous'] = verdict(await call(row.method, row.request(fixture)));
    wanted['anonymous'] = row.access === 'public' ? 'allowed' : '401';
    for (const role of ROLES) {
      const credential = credentials.get(role);
      const expected = expectations(row, role);
      // A 404 for the caller's own resource would hide a tenant bug: own requests must be allowed (2xx or a 4xx that is not 401/403/404).
      seen[`${role} own`] = verdict(await call(row.method, row.request(fixture), credential));
      wanted[`${role} own`] = expected.own;
      if (row.otherTenant !== undefined) {
        seen[`${role} other`] = verdict(await call(row.method, row.otherTenant(fixture), credential));
        wanted[`${role} other`] = expected.other;
      }
    }
    expect(seen).toEqual(wanted);
  });
});
