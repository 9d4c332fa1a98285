import type { PlatformConfig } from '@txn/infra-local';
import { runDlqCommand } from './dlq';

// Usage errors are answered before anything connects to Kafka (port 1 would refuse anyway).
const config = { kafka: { port: 1 } } as PlatformConfig;

describe('./platform dlq argument handling', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  it.each([
    [[]],
    [['frobnicate']],
    [['show']],
    [['replay', 'a.b.dlq']],
    [['replay', 'a.b.dlq', '--offset', '3', '--all']],
    [['show', 'a.b.dlq', '--offset', 'x']],
    [['ack']],
    [['ack', 'a.b.dlq']],
    [['ack', 'a.b.dlq', '--offset', '1', '--all']],
  ])('exits 2 with the usage for %j', async (args) => {
    expect(await runDlqCommand(args, config)).toBe(2);
    expect(stderr.mock.calls.map((call) => String(call[0])).join('')).toContain('usage: ./platform dlq');
  });
});
