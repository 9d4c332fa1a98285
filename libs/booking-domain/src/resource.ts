import type { Actor } from '@txn/contracts';

/** A merchant's bookable resource as the booking service keeps it. */
export interface Resource {
  readonly tenantId: string;
  readonly resourceId: string;
  readonly name: string;
}

export const RESOURCE_ID = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_NAME_LENGTH = 200;

export type ResourceDecision =
  | { readonly kind: 'create'; readonly resource: Resource }
  | { readonly kind: 'rename'; readonly resource: Resource; readonly from: string }
  | { readonly kind: 'unchanged'; readonly resource: Resource }
  | { readonly kind: 'refused'; readonly code: 'NOT_MERCHANT' | 'INVALID_RESOURCE' };

/**
 * RegisterResource: only the merchant (an API key) or the platform (SERVICE, SYSTEM; staff act as
 * SERVICE) may make a resource exist; a customer (USER) may not. The same id and name again is
 * unchanged (a repeated command changes nothing, and is answered); another name renames it.
 */
export function decideResource(existing: Resource | undefined, command: { readonly resourceId: string; readonly name: string }, actor: Actor, tenantId: string): ResourceDecision {
  if (actor.type === 'USER') return { kind: 'refused', code: 'NOT_MERCHANT' };
  const name = command.name.trim();
  if (!RESOURCE_ID.test(command.resourceId) || name.length === 0 || name.length > MAX_NAME_LENGTH) return { kind: 'refused', code: 'INVALID_RESOURCE' };
  const resource = { tenantId, resourceId: command.resourceId, name };
  if (existing === undefined) return { kind: 'create', resource };
  if (existing.name === name) return { kind: 'unchanged', resource: existing };
  return { kind: 'rename', resource, from: existing.name };
}
