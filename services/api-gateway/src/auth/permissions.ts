/**
 * Role-based access: what each role may do, within its tenant (merchant). Pure data and one rule;
 * the guard applies it to the permission a route declares (`@RequirePermission`), and the RBAC
 * matrix test walks every route × role × own/other tenant against this table.
 */
export const PERMISSIONS = [
  'merchants:manage',
  'keys:manage',
  'resources:read',
  'resources:write',
  'bookings:read',
  'bookings:write',
  'payments:read',
  'payments:refund',
  'policies:read',
  'policies:write',
  'ledger:read',
  'sagas:read',
  'webhooks:manage',
  'audit:read',
  'approvals:decide',
  'recon:read',
  'customers:erase',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['owner', 'developer', 'finance', 'support', 'auditor', 'platform-admin'] as const;
export type Role = (typeof ROLES)[number];

const READ_ALL: readonly Permission[] = ['resources:read', 'bookings:read', 'payments:read', 'policies:read', 'ledger:read', 'sagas:read'];

/**
 * - owner: everything in the merchant, including keys, policies, refunds, approvals, and a customer's erasure.
 * - developer: builds on the API: resources and bookings, keys, webhooks; no refunds, no ledger.
 * - finance: money: payments, refunds, ledger, policies, reconciliation's breaks; no keys.
 * - support: helps customers: reads, cancels and completes bookings (bookings:write); no refunds.
 * - auditor: reads everything, the audit trail included; changes nothing.
 * - platform-admin: the platform's staff: merchants, and any merchant's data when acting for it.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>([...READ_ALL, 'keys:manage', 'resources:write', 'bookings:write', 'payments:refund', 'policies:write', 'webhooks:manage', 'audit:read', 'approvals:decide', 'recon:read', 'customers:erase']),
  developer: new Set<Permission>(['resources:read', 'resources:write', 'bookings:read', 'bookings:write', 'payments:read', 'sagas:read', 'keys:manage', 'webhooks:manage']),
  finance: new Set<Permission>([...READ_ALL, 'payments:refund', 'policies:write', 'approvals:decide', 'recon:read']),
  support: new Set<Permission>(['resources:read', 'bookings:read', 'bookings:write', 'payments:read', 'sagas:read']),
  auditor: new Set<Permission>([...READ_ALL, 'audit:read', 'recon:read']),
  'platform-admin': new Set<Permission>([...PERMISSIONS]),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** What a set of roles grants, narrowed by scopes when the credential carries them (an API key's). */
export function grantedPermissions(roles: readonly Role[], scopes?: readonly Permission[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  if (scopes === undefined) return granted;
  return new Set(scopes.filter((scope) => granted.has(scope)));
}
