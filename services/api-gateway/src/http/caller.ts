import type { CommandCaller } from '../application/command-envelope';
import type { Principal } from '../auth/principal';
import { ProblemException } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bookings and payments are a merchant's: a caller acting for none (platform staff) is refused. */
export function merchantOf(principal: Principal): string {
  if (principal.tenantId === null) throw ProblemException.of('forbidden', 'Act for a merchant to use its bookings and payments.');
  return principal.tenantId;
}

export function callerOf(principal: Principal): CommandCaller {
  return { merchantId: merchantOf(principal), actor: principal.actor };
}

/** Ids the platform gives out are UUIDs; anything else cannot name a resource, so it is simply not found. */
export function resourceId(id: string, what: string): string {
  if (!UUID.test(id)) throw ProblemException.of('not-found', `There is no ${what} ${id.slice(0, 100)}.`);
  return id.toLowerCase();
}
