import type { PlatformConfig } from '@txn/infra-local';
import { formatOverdue, formatOverdueSagas, runSagasCommand, type OverdueSaga } from './sagas';

const stuck: OverdueSaga = {
  booking_id: '6f1c2a4e-0000-4000-8000-000000000001',
  tenant_id: 'merchant-1',
  status: 'CONFIRMED',
  stage: 'CAPTURE',
  deadline_at: new Date('2030-01-01T10:00:00Z'),
  overdue_ms: '3723000',
  timeout_requested_at: new Date('2030-01-01T10:00:01Z'),
};

describe('./platform sagas', () => {
  it('says how late a saga is the way a person reads it', () => {
    expect(formatOverdue(93_784_000)).toBe('1d 2h 3m 4s');
    expect(formatOverdue(3_723_000)).toBe('1h 2m 3s');
    expect(formatOverdue(61_000)).toBe('1m 1s');
    expect(formatOverdue(250)).toBe('250 ms');
  });

  it('prints one line per overdue saga with its stage and lateness, the totals, and where to look next', () => {
    const lines = formatOverdueSagas([stuck, { ...stuck, booking_id: 'b2', stage: 'HOLD', status: 'HELD', overdue_ms: '2000', timeout_requested_at: null }], new Map([['CAPTURE', 1], ['HOLD', 1]]));
    expect(lines[0]).toMatch(/^BOOKING\s+TENANT\s+STATUS\s+STAGE\s+DEADLINE\s+OVERDUE\s+TIMEOUT REQUESTED$/);
    expect(lines[1]).toMatch(/^6f1c2a4e-0000-4000-8000-000000000001\s+merchant-1\s+CONFIRMED\s+CAPTURE\s+2030-01-01T10:00:00.000Z\s+1h 2m 3s\s+2030-01-01T10:00:01.000Z$/);
    expect(lines[2]).toMatch(/^b2\s+merchant-1\s+HELD\s+HOLD\s+.*\s2s\s+-$/);
    expect(lines).toContain('2 overdue (CAPTURE 1, HOLD 1); 2 shown');
    expect(lines.some((line) => line.includes('./platform dlq list'))).toBe(true);
    expect(formatOverdueSagas([], new Map())).toEqual(['no saga is past its deadline']);
  });

  it.each([[[]], [['stuck']], [['overdue', '--limit', '0']], [['overdue', '--limit', 'x']], [['overdue', '--limit', '1001']]])(
    'exits 2 with the usage for %j, before connecting anywhere',
    async (args) => {
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(await runSagasCommand(args, {} as PlatformConfig)).toBe(2);
        expect(stderr.mock.calls.map((call) => String(call[0])).join('')).toContain('usage: ./platform sagas');
      } finally {
        stderr.mockRestore();
      }
    },
  );
});
