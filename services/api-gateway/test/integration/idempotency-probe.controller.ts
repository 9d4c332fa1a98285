import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { RequestBooking } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../src/auth/principal';
import { Idempotent } from '../../src/idempotency';
import { TenantTransactions } from '../../src/persistence/tenant-transactions';

// A route for the idempotency suite only: it sends a real RequestBooking through the gateway's
// outbox (to the suite's booking.commands topic) in its TenantTransactions transaction, as the
// booking routes do, and can be made slow (to be caught in flight) or to fail (a 500 of ours).

export class ProbeBody {
  @IsString()
  resourceId!: string;

  @IsInt()
  @Min(0)
  amountMinor!: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5_000)
  delay_ms?: number;

  @IsOptional()
  @IsString()
  fail?: 'before-write' | 'after-write';
}

/** How many times the handler ran (the suite reads it: never twice per key). */
export const probeExecutions = { count: 0 };

@Controller('v1/idempotency-probe')
export class IdempotencyProbeController {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('bookings:write')
  @Idempotent({ required: true })
  async create(@Body() body: ProbeBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<{ bookingId: string; executions: number }> {
    probeExecutions.count += 1;
    const executions = probeExecutions.count;
    if (body.delay_ms !== undefined) await new Promise((resolve) => setTimeout(resolve, body.delay_ms));
    if (body.fail === 'before-write') throw new Error('probe failure before any write');
    const bookingId = randomUUID();
    const tenantId = principal.tenantId ?? 'none';
    await this.transactions.run({ kind: 'tenant', tenantId }, (manager) =>
      this.publisher.publish(fromEntityManager(manager), RequestBooking, {
        envelope: { eventId: randomUUID(), eventType: 'RequestBooking', occurredAt: new Date(), producer: 'api-gateway', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor: principal.actor, tenantId },
        bookingId,
        requestIdempotencyKey: bookingId,
        customerId: 'customer-1',
        customerEmail: null,
        slot: { resourceId: body.resourceId, startsAt: new Date('2027-01-01T10:00:00Z'), endsAt: new Date('2027-01-01T11:00:00Z') },
        price: { amountMinor: BigInt(body.amountMinor), currency: 'EUR' },
        holdExpiresAt: new Date(Date.now() + 600_000),
      }),
    );
    if (body.fail === 'after-write') throw new Error('probe failure after its write committed');
    response.setHeader('Location', `/v1/bookings/${bookingId}`);
    return { bookingId, executions };
  }
}
