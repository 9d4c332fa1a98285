import { Inject, Injectable } from '@nestjs/common';
import { In, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { decodeCursor, encodeCursor } from './cursor';
import { BookingViewEntity, PaymentViewEntity } from './read-model.entities';
import { RefundViewEntity } from './refund-view.entity';

export interface ListFilter {
  readonly limit: number;
  readonly cursor?: string;
  readonly statuses?: readonly string[];
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
}

export interface Page<T> {
  readonly rows: T[];
  readonly nextCursor: string | null;
}

/** Who is overdue: a request booking never answered, a hold past its expiry (booking's sweeper is late). */
export const OVERDUE_GRACE_MS = 60_000;

/** A booking as read: its row and its newest payment, if payment has told of one. */
export type BookingRead = BookingViewEntity & { readonly payment: PaymentViewEntity | null };

async function withPayments(manager: EntityManager, rows: BookingViewEntity[]): Promise<BookingRead[]> {
  if (rows.length === 0) return [];
  const payments = await manager.find(PaymentViewEntity, { where: { bookingId: In(rows.map((row) => row.bookingId)) }, order: { createdAt: 'ASC' } });
  // Oldest first, so the newest payment of a booking is the one the map keeps.
  const newest = new Map(payments.map((payment) => [payment.bookingId, payment]));
  return rows.map((row) => Object.assign(row, { payment: newest.get(row.bookingId) ?? null }));
}

/** Narrows a list query by the filter and the cursor; newest first, ties by id, one row more to know if there is a next page. */
function filtered<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, idColumn: string, filter: ListFilter): SelectQueryBuilder<T> {
  if (filter.statuses !== undefined && filter.statuses.length > 0) query.andWhere('v.status IN (:...statuses)', { statuses: filter.statuses });
  if (filter.createdFrom !== undefined) query.andWhere('v.created_at >= :from', { from: filter.createdFrom });
  if (filter.createdTo !== undefined) query.andWhere('v.created_at < :to', { to: filter.createdTo });
  if (filter.cursor !== undefined) {
    const cursor = decodeCursor(filter.cursor);
    query.andWhere(`(v.created_at, v.${idColumn}) < (:cursorAt, :cursorId)`, { cursorAt: cursor.at, cursorId: cursor.id });
  }
  return query.orderBy('v.created_at', 'DESC').addOrderBy(`v.${idColumn}`, 'DESC').limit(filter.limit + 1);
}

function page<T extends { createdAt: Date }>(rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: more && last !== undefined ? encodeCursor({ at: last.createdAt, id: idOf(last) }) : null };
}

/**
 * Reads of the gateway's read models, each in a transaction scoped to the caller's merchant: the
 * row-level policy, not the WHERE clause, is what keeps another merchant's rows out (decision 0023).
 */
@Injectable()
export class ReadModels {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  private read<T>(merchantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, work);
  }

  /** A booking with its newest payment (booking and payment are separate aggregates: joined here, never copied). */
  booking(merchantId: string, bookingId: string): Promise<BookingRead | null> {
    return this.read(merchantId, async (manager) => {
      const row = await manager.findOneBy(BookingViewEntity, { bookingId });
      return row === null ? null : ((await withPayments(manager, [row]))[0] ?? null);
    });
  }

  payment(merchantId: string, paymentId: string): Promise<PaymentViewEntity | null> {
    return this.read(merchantId, (manager) => manager.findOneBy(PaymentViewEntity, { paymentId }));
  }

  /** A payment's refunds, oldest first (at most MAX_REFUNDS_PER_PAYMENT: one page). */
  refunds(merchantId: string, paymentId: string): Promise<RefundViewEntity[]> {
    return this.read(merchantId, (manager) => manager.find(RefundViewEntity, { where: { paymentId }, order: { createdAt: 'ASC', refundId: 'ASC' } }));
  }

  refund(merchantId: string, paymentId: string, refundId: string): Promise<RefundViewEntity | null> {
    return this.read(merchantId, (manager) => manager.findOneBy(RefundViewEntity, { paymentId, refundId }));
  }

  async listBookings(merchantId: string, filter: ListFilter): Promise<Page<BookingRead>> {
    const rows = await this.read(merchantId, async (manager) => withPayments(manager, await filtered(manager.createQueryBuilder(BookingViewEntity, 'v'), 'booking_id', filter).getMany()));
    return page(rows, filter.limit, (row) => row.bookingId);
  }

  async listPayments(merchantId: string, filter: ListFilter): Promise<Page<PaymentViewEntity>> {
    const rows = await this.read(merchantId, (manager) => filtered(manager.createQueryBuilder(PaymentViewEntity, 'v'), 'payment_id', filter).getMany());
    return page(rows, filter.limit, (row) => row.paymentId);
  }

  /**
   * What needs a person, in one snapshot: bookings overdue at `now` (REQUESTED or HELD past their
   * time by the grace) and payments flagged, each with the other half of its saga.
   */
  attention(merchantId: string, now: Date, limit: number): Promise<Attention> {
    const before = new Date(now.getTime() - OVERDUE_GRACE_MS);
    return this.read(merchantId, async (manager) => {
      const overdue = await manager
        .createQueryBuilder(BookingViewEntity, 'v')
        .where(`(v.status = 'REQUESTED' AND v.created_at < :before) OR (v.status = 'HELD' AND v.hold_expires_at < :before)`, { before })
        .orderBy('v.created_at', 'ASC')
        .limit(limit)
        .getMany();
      const flagged = await manager.createQueryBuilder(PaymentViewEntity, 'v').where('v.attention IS NOT NULL').orderBy('v.attention_since', 'ASC').limit(limit).getMany();
      const bookingIds = [...new Set([...overdue.map((row) => row.bookingId), ...flagged.map((row) => row.bookingId)])];
      const bookings = bookingIds.length === 0 ? [] : await manager.find(BookingViewEntity, { where: { bookingId: In(bookingIds) } });
      const payments = bookingIds.length === 0 ? [] : await manager.find(PaymentViewEntity, { where: { bookingId: In(bookingIds) }, order: { createdAt: 'ASC' } });
      return { overdue, flagged, bookingsById: new Map(bookings.map((row) => [row.bookingId, row])), paymentsByBooking: new Map(payments.map((row) => [row.bookingId, row])) };
    });
  }
}

export interface Attention {
  readonly overdue: BookingViewEntity[];
  readonly flagged: PaymentViewEntity[];
  readonly bookingsById: ReadonlyMap<string, BookingViewEntity>;
  /** The newest payment of each booking. */
  readonly paymentsByBooking: ReadonlyMap<string, PaymentViewEntity>;
}
