import type { PlatformConfig } from '@txn/infra-local';
import { runServiceCommand, type ServiceProgram, type ServiceProgramOptions, type ServiceProgramTable } from './service-programs';

/** `./platform audit <command>`: the audit service's own program (`services/audit/src/audit-main.ts`) on its database and the checkpoint topic. */
export const AUDIT_COMMANDS: Readonly<Record<string, ServiceProgram>> = {
  verify: {
    summary: 'walk every audit chain and hold it against its latest checkpoint on audit.checkpoints.v1 [--tenant T] [--no-checkpoints]',
    program: 'audit-main.ts',
    leadingArgs: ['verify'],
    exitCodes: '0 every chain verifies, 1 a broken link (its kind and sequence number on the chain\'s line), 2 could not run',
  },
  trail: {
    summary: "one saga's whole story, a JSON line per state change <booking id> [--limit N]",
    program: 'audit-main.ts',
    leadingArgs: ['trail'],
    exitCodes: '0 printed (nothing found is said on stderr), 2 could not run',
  },
};

const AUDIT_PROGRAMS: ServiceProgramTable = { service: 'audit', verb: 'audit', commands: AUDIT_COMMANDS, extraSettings: ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL'] };

/** `./platform audit <command> [args…]`; returns the process exit code. */
export function runAuditCommand(args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  return runServiceCommand(AUDIT_PROGRAMS, args, config, options);
}
