import { Inject, Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { pageOf, type PageQuery } from '../http/page-query';
import { ProblemException } from '../http/problem';
import { MerchantEntity } from '../persistence/merchant.entity';
import { TenantTransactions, type TenantScope } from '../persistence/tenant-transactions';
import { MERCHANT_ID } from './staff-token';
import type { Principal } from './principal';

const UNIQUE_VIOLATION = '23505';

/**
 * Merchants, the platform's tenants: created and listed in the platform's scope (merchants:manage,
 * platform-admin only). Read by a platform-admin, or by the merchant's own credentials (any role:
 * it is their own profile, like /v1/me); any other merchant is 404, as if it did not exist.
 */
@Injectable()
export class Merchants {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  async create(merchant: { readonly id: string; readonly name: string; readonly defaultCurrency: string; readonly refundApprovalThresholdMinor?: number }): Promise<MerchantEntity> {
    try {
      return await this.transactions.run({ kind: 'platform' }, async (manager) => {
        // merchant_id is generated from id: the insert names the columns it may set.
        await manager.query('INSERT INTO merchants (id, name, default_currency, refund_approval_threshold_minor) VALUES ($1, $2, $3, $4)', [merchant.id, merchant.name, merchant.defaultCurrency, merchant.refundApprovalThresholdMinor ?? null]);
        return manager.findOneByOrFail(MerchantEntity, { id: merchant.id });
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) throw ProblemException.of('conflict', `The merchant ${merchant.id} exists already.`, { merchantId: merchant.id });
      throw error;
    }
  }

  list(query: PageQuery): Promise<{ rows: MerchantEntity[]; nextCursor: string | null }> {
    return this.transactions.run({ kind: 'platform' }, (manager) => pageOf(manager, MerchantEntity, query));
  }

  async get(principal: Principal, merchantId: string): Promise<MerchantEntity> {
    const notFound = ProblemException.of('not-found', `There is no merchant ${merchantId.slice(0, 100)}.`);
    if (!MERCHANT_ID.test(merchantId)) throw notFound;
    const scope: TenantScope | null = principal.permissions.has('merchants:manage') ? { kind: 'platform' } : principal.tenantId === merchantId ? { kind: 'tenant', tenantId: merchantId } : null;
    if (scope === null) throw notFound;
    const row = await this.transactions.run(scope, (manager) => manager.findOneBy(MerchantEntity, { id: merchantId }));
    if (row === null) throw notFound;
    return row;
  }
}
