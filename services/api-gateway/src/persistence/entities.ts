import { MerchantEntity } from './merchant.entity';

/** Every TypeORM entity of the gateway (the DataSource's list). */
export const GATEWAY_ENTITIES = [MerchantEntity] as const;
