import { SettingsReader } from '@txn/service-kit';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, readAuditSettings } from './settings';

function read(env: NodeJS.ProcessEnv): ReturnType<typeof readAuditSettings> {
  const reader = new SettingsReader(env);
  const settings = readAuditSettings(reader);
  reader.done();
  return settings;
}

describe('audit settings', () => {
  it('checkpoint every minute by default', () => {
    expect(read({}).checkpointInterval_ms).toBe(DEFAULT_CHECKPOINT_INTERVAL_MS);
  });

  it('refuse an interval or batch outside their bounds, naming the setting', () => {
    expect(() => read({ AUDIT_CHECKPOINT_INTERVAL_MS: '5' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL_MS/);
    expect(() => read({ AUDIT_CHECKPOINT_BATCH_SIZE: '0' })).toThrow(/AUDIT_CHECKPOINT_BATCH_SIZE/);
  });
});
