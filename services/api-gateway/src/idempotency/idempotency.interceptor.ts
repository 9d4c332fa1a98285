import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { SERVICE_DEPENDENCIES, type ServiceDependencies } from '@txn/service-kit';
import type { Principal } from '../auth/principal';
import { ProblemException } from '../http/problem';
import { decide, readIdempotencyKey, requestHash, type Decision } from './idempotency-rules';
import { IdempotencyStore, type KeyOwner } from './idempotency-store';
import { IDEMPOTENT_ROUTE, type IdempotentOptions } from './idempotent.decorator';
import { executeUnderClaim, replay, type ClaimedRequest } from './claimed-execution';

export const IDEMPOTENCY_SETTINGS = Symbol('txn-idempotency-settings');

export interface IdempotencySettings {
  /** How long a record (and so its replay) is kept after the first response: at least 24 h. */
  readonly retention_ms: number;
  /** How long a claim protects an execution: past it, a claim that never executed may be taken over. Longer than any request (waits included). */
  readonly lease_ms: number;
}

/** A merchant's keys are the merchant's (any of its credentials replays); staff keys are each staff user's own. */
export function keyOwner(principal: Principal): KeyOwner {
  return principal.tenantId === null ? { owner: `staff:${principal.id}`, scope: { kind: 'platform' } } : { owner: principal.tenantId, scope: { kind: 'tenant', tenantId: principal.tenantId } };
}

/**
 * Stripe's idempotency with a body check, for routes marked `@Idempotent` (decision 0026). Runs
 * after the guard (the principal is known) and before validation (a refused body releases the
 * claim). The claim is committed before the handler runs, so a concurrent twin sees it and gets
 * 409; the handler's transactions are fenced by it (see idempotent-execution.ts).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger: Logger;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(IdempotencyStore) private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly settings: IdempotencySettings,
    @Inject(SERVICE_DEPENDENCIES) dependencies: ServiceDependencies,
  ) {
    this.logger = dependencies.logger;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = context.getType() === 'http' ? this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT_ROUTE, context.getHandler()) : undefined;
    if (options === undefined) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { principal?: Principal }>();
    const header = readIdempotencyKey(request.headers['idempotency-key']);
    if (header.kind === 'invalid') throw ProblemException.of('validation-failed', 'Idempotency-Key must be 1–255 visible ASCII characters (no spaces), sent once.', { header: 'Idempotency-Key' });
    if (header.kind === 'absent') {
      if (options.required) throw ProblemException.of('idempotency-key-required', 'This operation needs an Idempotency-Key header (e.g. a UUID) so that a retry cannot repeat it.');
      return next.handle();
    }
    if (request.principal === undefined) throw new Error('@Idempotent on a route without an authenticated principal');
    const claimed: ClaimedRequest = { owner: keyOwner(request.principal), key: header.key, method: request.method, path: request.path, hash: requestHash(request.method, request.path, request.body) };
    return from(this.handle(claimed, next, http.getResponse<Response>()));
  }

  private async handle(request: ClaimedRequest, next: CallHandler, response: Response): Promise<unknown> {
    const { lease_ms, retention_ms } = this.settings;
    const claim = await this.store.claim(request.owner, { key: request.key, requestHash: request.hash, method: request.method, path: request.path, lease_ms, retention_ms });
    if (claim.claimed) return executeUnderClaim({ request, claimToken: claim.claimToken, run: () => lastValueFrom(next.handle()), response, store: this.store, settings: this.settings, logger: this.logger });
    const decision: Decision = decide(claim.record, request.hash, new Date());
    switch (decision) {
      case 'reused':
        throw ProblemException.of('idempotency-key-reused', 'This Idempotency-Key was first used with another method, path or body; use a new key for a new request.');
      case 'in-progress':
        throw new ProblemException(ProblemException.of('request-in-progress', 'A request with this Idempotency-Key is being processed; retry after it completes.').problem, { 'Retry-After': '1' });
      case 'replay':
        return replay(claim.record, response);
      case 'take-over': {
        const claimToken = await this.store.takeOver(request.owner, request.key, claim.record.claimToken, lease_ms);
        if (claimToken === undefined) throw ProblemException.of('request-in-progress', 'A request with this Idempotency-Key is being processed; retry after it completes.');
        this.logger.warn({ route: request.path }, 'idempotency claim taken over after its lease (its process stopped before executing)');
        return executeUnderClaim({ request, claimToken, run: () => lastValueFrom(next.handle()), response, store: this.store, settings: this.settings, logger: this.logger });
      }
      case 'outcome-lost':
        return this.outcomeLost(request, claim.record.claimToken, response);
    }
  }

  /** Executed, committed, response never stored (the process died in between): never run again; a 500 saying so is recorded and replayed. */
  private async outcomeLost(request: ClaimedRequest, claimToken: string, response: Response): Promise<unknown> {
    const lost = ProblemException.of('internal', 'This request was carried out, but its response was lost; look the resource up by listing. It will not be carried out again under this key.', { carriedOut: true }).problem;
    const stored = { status: lost.status, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(lost) };
    await this.store.complete(request.owner, request.key, claimToken, stored, this.settings.retention_ms);
    this.logger.error({ route: request.path }, 'idempotent request executed but its response was never stored: answered with a recorded 500');
    return replay({ responseStatus: stored.status, responseHeaders: stored.headers, responseBody: stored.body }, response);
  }
}
