import { DEFAULT_INBOX_RETENTION_DAYS, inboxRetention_ms, MAX_INBOX_RETENTION_DAYS, MIN_INBOX_RETENTION_DAYS } from './inbox-pruner';

const DAY_MS = 24 * 60 * 60 * 1_000;
/** deploy/kafka-topics.json: retention.ms of every contract topic. */
const KAFKA_RETENTION_MS = 604_800_000;

describe('inbox retention bounds', () => {
  it('never lets a dedup row go before Kafka could stop redelivering its event', () => {
    expect(inboxRetention_ms(MIN_INBOX_RETENTION_DAYS)).toBeGreaterThan(KAFKA_RETENTION_MS);
    expect(inboxRetention_ms(DEFAULT_INBOX_RETENTION_DAYS)).toBe(30 * DAY_MS);
    expect(inboxRetention_ms(MAX_INBOX_RETENTION_DAYS)).toBe(365 * DAY_MS);
  });

  it('refuses a retention below 8 days, above 365 days, or not a whole number of days', () => {
    for (const days of [MIN_INBOX_RETENTION_DAYS - 1, 0, -30, MAX_INBOX_RETENTION_DAYS + 1, 8.5, Number.NaN]) {
      expect(() => inboxRetention_ms(days)).toThrow(/inbox retention must be an integer of 8\.\.365 days/);
    }
  });
});
