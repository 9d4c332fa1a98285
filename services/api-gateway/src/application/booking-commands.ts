import { Inject, Injectable } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { BookingViewEntity } from '../read-models/read-model.entities';
import { cancelBooking } from './cancel-booking/cancel-booking';
import type { CommandCaller } from './command-envelope';
import { completeBooking } from './complete-booking/complete-booking';
import { PERSONAL_DATA_SEALER, SCOPED_TRANSACTIONS, type PersonalDataSealer, type ScopedTransactions } from './ports';
import { requestBooking, type BookingRequest } from './request-booking/request-booking';

/** The booking commands the API sends, each in one transaction scoped to the caller's merchant. */
@Injectable()
export class BookingCommands {
  constructor(
    @Inject(SCOPED_TRANSACTIONS) private readonly transactions: ScopedTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(PERSONAL_DATA_SEALER) private readonly sealer: PersonalDataSealer,
  ) {}

  /** The customer's email is sealed under their data key in the same transaction: it never leaves the gateway in clear. */
  request(caller: CommandCaller, request: BookingRequest, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, async (manager) => {
      const customerEmail = request.customerEmail === null ? null : await this.sealer.seal(manager, caller.merchantId, request.customerId, request.customerEmail, caller.actor, now);
      return requestBooking(manager, this.publisher, caller, { ...request, customerEmail }, now);
    });
  }

  cancel(caller: CommandCaller, bookingId: string, reason: string, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => cancelBooking(manager, this.publisher, caller, bookingId, reason, now));
  }

  complete(caller: CommandCaller, bookingId: string, delivery: { readonly deliveredAt: Date; readonly reason: string | null }, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => completeBooking(manager, this.publisher, caller, bookingId, delivery, now));
  }
}
