import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatformConfig, type PlatformConfig } from '@txn/infra-local';
import { LEDGER_COMMANDS, ledgerDatabaseSettings, runLedgerCommand } from './ledger';

describe('./platform ledger', () => {
  let stateDir: string;
  let config: PlatformConfig;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'platform-ledger-'));
    config = loadPlatformConfig({ PLATFORM_STATE_DIR: stateDir, PLATFORM_POSTGRES_PORT: '55999' });
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const written = (): string => stderr.mock.calls.map((call) => String(call[0])).join('');

  it('finds the ledger database the way the running ledger service does: its component settings, the password as a file', () => {
    expect(ledgerDatabaseSettings(config)).toEqual({
      DATABASE_HOST: '127.0.0.1',
      DATABASE_PORT: '55999',
      DATABASE_NAME: 'ledger',
      DATABASE_USER: 'svc_ledger',
      DATABASE_PASSWORD_FILE: join(stateDir, 'secrets', 'postgres-svc_ledger.secret'),
    });
  });

  it('has verify, run by the ledger service\'s own program', () => {
    expect(Object.keys(LEDGER_COMMANDS)).toContain('verify');
    expect(LEDGER_COMMANDS.verify?.program).toBe('verify-main.ts');
  });

  it.each([[[], 2], [['frobnicate'], 2], [['toString'], 2], [['help'], 0]])('answers %j with the usage (exit %d), before running anything', async (args, code) => {
    expect(await runLedgerCommand(args, config)).toBe(code);
    expect(written()).toContain('usage: ./platform ledger <command>');
    expect(written()).toContain('verify');
  });
});
