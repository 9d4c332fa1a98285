import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { redactCardNumbers } from '@txn/personal-data';
import { CurrentPrincipal, principalLabel, RequirePermission, type Principal } from '../../auth/principal';
import { CustomerKeys } from '../../personal-data/customer-keys';
import { ApiProblems } from '../api-responses';
import { merchantOf } from '../caller';
import { ProblemException } from '../problem';

const CUSTOMER_ID = /^[\x21-\x7e]{1,100}$/;

export class EraseCustomerBody {
  @ApiPropertyOptional({ type: String, maxLength: 500, example: 'GDPR art. 17 request, ticket 4711' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ErasureView {
  @ApiProperty({ type: String })
  customerId!: string;

  @ApiProperty({ type: String, format: 'uuid', description: 'The destroyed data key: every field sealed under it is unreadable.' })
  keyId!: string;

  @ApiProperty({ enum: ['ERASED', 'ALREADY_ERASED'] })
  status!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  erasedAt!: string;
}

/** Customers' personal data: the right to erasure (crypto-shredding, decision 0037). */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomersController {
  constructor(@Inject(CustomerKeys) private readonly keys: CustomerKeys) {}

  @Post(':customerId/erasure')
  @HttpCode(202)
  @RequirePermission('customers:erase')
  @ApiOperation({
    summary: "Erase a customer's personal data",
    description:
      "Destroys the customer's data key: their email (and any personal field) sealed under it becomes unreadable wherever it is — bookings, notifications, the append-only audit trail, Kafka's retention — while bookings, payments and the ledger keep their facts and the audit chain still verifies. Every service destroys its copy on reading CustomerErased. 202 with the erasure; again later: ALREADY_ERASED; 404 when no personal data of the customer was ever held. A later booking with personal data gets a new key.",
  })
  @ApiParam({ name: 'customerId', type: String })
  @ApiAcceptedResponse({ type: ErasureView })
  @ApiProblems(400, 401, 403, 404)
  async erase(@Param('customerId') customerId: string, @Body() body: EraseCustomerBody, @CurrentPrincipal() principal: Principal): Promise<ErasureView> {
    if (!CUSTOMER_ID.test(customerId)) throw ProblemException.of('not-found', 'There is no such customer.');
    const merchantId = merchantOf(principal);
    const reason = body.reason === undefined ? null : redactCardNumbers(body.reason);
    const erasure = await this.keys.erase(merchantId, customerId, principalLabel(principal), reason, principal.actor, new Date());
    if (erasure === undefined) throw ProblemException.of('not-found', `No personal data of customer ${customerId.slice(0, 100)} is held.`);
    return { customerId, keyId: erasure.keyId, status: erasure.status, erasedAt: erasure.erasedAt.toISOString() };
  }
}
