import { EVENT_TYPES } from '@txn/contracts';
import { contractReaderSchemas } from './reader-schemas';

describe('reader schemas from the contracts', () => {
  const handled = new Set(['BookingHeld']);
  const isHandled = (eventType: string): boolean => handled.has(eventType);

  it('reads every contract type with its generated schema under the ignore policy', () => {
    const readerFor = contractReaderSchemas(EVENT_TYPES, 'ignore', isHandled);
    for (const contract of Object.values(EVENT_TYPES)) expect(readerFor(contract.fullName)).toBe(contract.schema);
  });

  it('gives no reader schema (so the message is parked) for unhandled types under the park policy', () => {
    const readerFor = contractReaderSchemas(EVENT_TYPES, 'park', isHandled);
    expect(readerFor(EVENT_TYPES.BookingHeld.fullName)).toBe(EVENT_TYPES.BookingHeld.schema);
    expect(readerFor(EVENT_TYPES.BookingConfirmed.fullName)).toBeUndefined();
  });

  it('gives no reader schema for a type no contract knows', () => {
    expect(contractReaderSchemas(EVENT_TYPES, 'ignore', isHandled)('txn.booking.BookingTeleported')).toBeUndefined();
  });
});
