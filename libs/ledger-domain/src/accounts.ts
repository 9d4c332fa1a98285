import { isCurrencyCode, type CurrencyCode } from '@txn/money';
import { ledgerError, type LedgerErrorCode } from './errors';
import { checked, type Checked } from '@txn/domain-kernel';

/** Same literals as the contracts' PostingSide, so a journal line maps 1:1 onto a Posting. */
export type Side = 'DEBIT' | 'CREDIT';

export type AccountType = 'ASSET' | 'LIABILITY' | 'EQUITY' | 'REVENUE' | 'EXPENSE';

/** The side on which each type grows; a contra account (e.g. fee refunds) states the opposite one. */
export const NORMAL_SIDE_OF_TYPE: Readonly<Record<AccountType, Side>> = {
  ASSET: 'DEBIT',
  EXPENSE: 'DEBIT',
  LIABILITY: 'CREDIT',
  EQUITY: 'CREDIT',
  REVENUE: 'CREDIT',
};

/**
 * TigerBeetle's account flags. An account with a limit refuses an entry or hold that would take its
 * available balance (pending included) below zero: money that is not there cannot leave.
 */
export type AccountLimit = 'NONE' | 'DEBITS_MUST_NOT_EXCEED_CREDITS' | 'CREDITS_MUST_NOT_EXCEED_DEBITS';

export interface AccountDefinition {
  readonly type: AccountType;
  readonly normalSide: Side;
  readonly limit: AccountLimit;
  readonly description: string;
}

/** The chart of accounts. Every account exists once per tenant (merchant) and currency. docs/ledger.md explains each. */
export const CHART_OF_ACCOUNTS = {
  PSP_CLEARING: {
    type: 'ASSET',
    normalSide: 'DEBIT',
    limit: 'NONE',
    description: 'Captured money the PSP owes us until it settles to our bank; refunds paid by the PSP reduce it.',
  },
  CUSTOMER_FUNDS_HELD: {
    type: 'LIABILITY',
    normalSide: 'CREDIT',
    limit: 'NONE',
    description: 'Customer money authorized at the PSP but not captured. Only ever pending: holds, never posted.',
  },
  ESCROW: {
    type: 'LIABILITY',
    normalSide: 'CREDIT',
    limit: 'DEBITS_MUST_NOT_EXCEED_CREDITS',
    description: "The merchant's share of captured money, kept until the service is delivered.",
  },
  PLATFORM_FEE_ESCROW: {
    type: 'LIABILITY',
    normalSide: 'CREDIT',
    limit: 'DEBITS_MUST_NOT_EXCEED_CREDITS',
    description: "The platform's fee on captured money, unearned until the service is delivered.",
  },
  MERCHANT_PAYABLE: {
    type: 'LIABILITY',
    normalSide: 'CREDIT',
    limit: 'NONE',
    description: 'Released escrow owed to the merchant. A debit balance means the merchant owes us (refund after payout).',
  },
  PLATFORM_FEE_REVENUE: {
    type: 'REVENUE',
    normalSide: 'CREDIT',
    limit: 'NONE',
    description: 'Platform fees earned on delivered bookings.',
  },
  SUSPENSE: {
    type: 'LIABILITY',
    normalSide: 'CREDIT',
    limit: 'NONE',
    description:
      'Money the PSP moved that the books could not place (a capture with no hold, a refund with no escrow): each amount has an open break naming it. Zero when everything is explained.',
  },
  PLATFORM_FEE_REFUNDS: {
    type: 'REVENUE',
    normalSide: 'DEBIT',
    limit: 'NONE',
    description: 'Contra revenue: earned fees given back on refunds after delivery. Gross revenue stays readable.',
  },
} as const satisfies Record<string, AccountDefinition>;

export type AccountCode = keyof typeof CHART_OF_ACCOUNTS;

export function isAccountCode(code: string): code is AccountCode {
  return Object.prototype.hasOwnProperty.call(CHART_OF_ACCOUNTS, code);
}

export interface AccountRef {
  readonly code: AccountCode;
  readonly tenantId: string;
  readonly currency: CurrencyCode;
}

/** `ESCROW:<tenantId>:EUR`. Code first and currency last, so a tenant id may itself contain ':'. */
export function accountId(ref: AccountRef): string {
  return `${ref.code}:${ref.tenantId}:${ref.currency}`;
}

export function parseAccountId(id: string): Checked<AccountRef, LedgerErrorCode> {
  const parts = id.split(':');
  const code = parts[0] ?? '';
  const currency = parts.length >= 3 ? (parts[parts.length - 1] ?? '') : '';
  const tenantId = parts.slice(1, -1).join(':');
  if (!isAccountCode(code) || !isCurrencyCode(currency) || tenantId === '') {
    return ledgerError('UNKNOWN_ACCOUNT', `"${id}" is not an account of the chart (CODE:tenant:CURRENCY)`);
  }
  return checked({ code, tenantId, currency });
}

export function definitionOf(code: AccountCode): AccountDefinition {
  return CHART_OF_ACCOUNTS[code];
}
