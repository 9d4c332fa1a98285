import { Inject, Injectable } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { BookingViewEntity } from '../read-models/read-model.entities';
import { cancelBooking } from './cancel-booking/cancel-booking';
import type { CommandCaller } from './command-envelope';
import { completeBooking } from './complete-booking/complete-booking';
import { SCOPED_TRANSACTIONS, type ScopedTransactions } from './ports';
import { requestBooking, type BookingRequest } from './request-booking/request-booking';

/** The booking commands the API sends, each in one transaction scoped to the caller's merchant. */
@Injectable()
export class BookingCommands {
  constructor(
    @Inject(SCOPED_TRANSACTIONS) private readonly transactions: ScopedTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  request(caller: CommandCaller, request: BookingRequest, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => requestBooking(manager, this.publisher, caller, request, now));
  }

  cancel(caller: CommandCaller, bookingId: string, reason: string, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => cancelBooking(manager, this.publisher, caller, bookingId, reason, now));
  }

  complete(caller: CommandCaller, bookingId: string, delivery: { readonly deliveredAt: Date; readonly reason: string | null }, now: Date): Promise<BookingViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => completeBooking(manager, this.publisher, caller, bookingId, delivery, now));
  }
}
