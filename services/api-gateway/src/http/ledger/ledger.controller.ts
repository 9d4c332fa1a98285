import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, Validate } from 'class-validator';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { LedgerJournal, type AccountLine, type JournalReflects } from '../../read-models/journal';
import { ApiProblems } from '../api-responses';
import { DEFAULT_PAGE_SIZE, IsRealDateTime, MAX_PAGE_SIZE } from '../bookings/booking.requests';
import { merchantOf } from '../caller';
import { ProblemException } from '../problem';
import { iso, MoneyView, PositionView } from '../views';

const ACCOUNT_ID = /^[A-Za-z0-9_:.-]{1,200}$/;

export class BalancesQuery {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Balances as of this time (entries posted at or before it); default now.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  at?: string;

  @ApiPropertyOptional({ type: String, example: 'EUR' })
  @IsOptional()
  @IsString()
  @MaxLength(3)
  currency?: string;
}

export class AccountEntriesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor." })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;
}

/** Signed money: a net or running balance (debits minus credits) may be negative. */
export class SignedMoneyView {
  @ApiProperty({ type: 'integer', format: 'int64', example: -11110, description: 'Integer minor units; negative when credits exceed debits.' })
  amountMinor!: number;

  @ApiProperty({ type: String, example: 'EUR' })
  currency!: string;
}

export class JournalReflectsView {
  @ApiProperty({ type: 'integer', description: 'Entries included.' })
  entryCount!: number;

  @ApiProperty({ type: String, nullable: true, description: 'The newest entry included.' })
  lastEntryId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastPostedAt!: string | null;

  @ApiProperty({ type: PositionView, nullable: true, description: "Where that entry's event sat in Kafka." })
  position!: PositionView | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the gateway last applied an entry (a lagging consumer shows here).' })
  lastAppliedAt!: string | null;
}

export class BalanceView {
  @ApiProperty({ type: String, example: 'ESCROW:merchant-a:EUR' })
  accountId!: string;

  @ApiProperty({ type: String, example: 'EUR' })
  currency!: string;

  @ApiProperty({ type: MoneyView })
  debits!: MoneyView;

  @ApiProperty({ type: MoneyView })
  credits!: MoneyView;

  @ApiProperty({ type: SignedMoneyView, description: 'Debits minus credits.' })
  net!: SignedMoneyView;
}

export class BalancesView {
  @ApiProperty({ type: String, format: 'date-time' })
  at!: string;

  @ApiProperty({ type: [BalanceView] })
  balances!: BalanceView[];

  @ApiProperty({ type: JournalReflectsView })
  reflects!: JournalReflectsView;
}

export class AccountEntryView {
  @ApiProperty({ type: String })
  entryId!: string;

  @ApiProperty({ type: 'integer', description: "The posting's line within its entry." })
  line!: number;

  @ApiProperty({ type: String, example: 'CAPTURE_TO_ESCROW' })
  entryType!: string;

  @ApiProperty({ type: String })
  reason!: string;

  @ApiProperty({ type: String, enum: ['DEBIT', 'CREDIT'] })
  side!: string;

  @ApiProperty({ type: MoneyView })
  amount!: MoneyView;

  @ApiProperty({ type: String, format: 'date-time' })
  postedAt!: string;

  @ApiProperty({ type: String, nullable: true, description: 'A reversing entry names the entry it reverses.' })
  reversesEntryId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  paymentId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  bookingId!: string | null;

  @ApiProperty({ type: SignedMoneyView, description: "The account's debits minus credits in this currency up to and including this line." })
  runningBalance!: SignedMoneyView;
}

export class AccountEntriesPage {
  @ApiProperty({ type: [AccountEntryView] })
  data!: AccountEntryView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

function reflectsView(reflects: JournalReflects): JournalReflectsView {
  return { entryCount: reflects.entryCount, lastEntryId: reflects.lastEntryId, lastPostedAt: iso(reflects.lastPostedAt), position: reflects.position, lastAppliedAt: iso(reflects.lastAppliedAt) };
}

function entryView(line: AccountLine): AccountEntryView {
  return {
    entryId: line.entryId,
    line: line.line,
    entryType: line.entryType,
    reason: line.reason,
    side: line.side,
    amount: { amountMinor: Number(line.amountMinor), currency: line.currency },
    postedAt: line.postedAt.toISOString(),
    reversesEntryId: line.reversesEntryId,
    paymentId: line.paymentId,
    bookingId: line.bookingId,
    runningBalance: { amountMinor: Number(line.runningMinor), currency: line.currency },
  };
}

/** The caller's ledger, from the gateway's copy of the journal (EntryPosted events). */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('v1/ledger')
export class LedgerController {
  constructor(@Inject(LedgerJournal) private readonly journal: LedgerJournal) {}

  @Get('balances')
  @RequirePermission('ledger:read')
  @ApiOperation({ summary: 'Balances at a point in time', description: 'Every account of the merchant with postings at or before `at`: debits, credits and net; `reflects` names the newest entry included and its Kafka position.' })
  @ApiOkResponse({ type: BalancesView })
  @ApiProblems(400, 401, 403)
  async balances(@Query() query: BalancesQuery, @CurrentPrincipal() principal: Principal): Promise<BalancesView> {
    const at = query.at === undefined ? new Date() : new Date(query.at);
    const found = await this.journal.balancesAt(merchantOf(principal), at, query.currency);
    return {
      at: at.toISOString(),
      balances: found.balances.map((row) => ({
        accountId: row.accountId,
        currency: row.currency,
        debits: { amountMinor: Number(row.debits), currency: row.currency },
        credits: { amountMinor: Number(row.credits), currency: row.currency },
        net: { amountMinor: Number(row.debits - row.credits), currency: row.currency },
      })),
      reflects: reflectsView(found.reflects),
    };
  }

  @Get('accounts/:accountId/entries')
  @RequirePermission('ledger:read')
  @ApiOperation({ summary: "An account's entries with running balances", description: 'Oldest first, cursor pagination. An account with no entries (or another merchant\u2019s) is an empty list.' })
  @ApiParam({ name: 'accountId', example: 'ESCROW:merchant-a:EUR' })
  @ApiOkResponse({ type: AccountEntriesPage })
  @ApiProblems(400, 401, 403, 404)
  async entries(@Param('accountId') accountId: string, @Query() query: AccountEntriesQuery, @CurrentPrincipal() principal: Principal): Promise<AccountEntriesPage> {
    if (!ACCOUNT_ID.test(accountId)) throw ProblemException.of('not-found', 'There is no such account.');
    const page = await this.journal.accountLines(merchantOf(principal), accountId, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { data: page.lines.map(entryView), nextCursor: page.nextCursor };
  }
}
