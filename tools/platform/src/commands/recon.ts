import type { PlatformConfig } from '@txn/infra-local';
import { runServiceCommand, type ServiceProgram, type ServiceProgramOptions, type ServiceProgramTable } from './service-programs';

/**
 * `./platform recon <command>`: reconciliation of the PSP with payments (docs/decisions/0029), by
 * payment's own program (`services/payment/src/recon-main.ts`) on payment's database. A run is
 * asked of the running payment service, which makes it with its own PSP client and settle path.
 */
export const RECON_COMMANDS: Readonly<Record<string, ServiceProgram>> = {
  run: {
    summary: 'ask the running payment service for a reconciliation run and print it [--since 24h|ISO] [--until ISO] [--wait-s N]',
    program: 'recon-main.ts',
    leadingArgs: ['run'],
    exitCodes: '0 clean, 1 breaks (one JSON line each, then the run), 3 the run failed (it did not see its whole window), 2 could not run',
  },
  breaks: {
    summary: 'list the open breaks between the PSP and payments (webhooks, syncs and reconciliation raise them), oldest first [--limit N]',
    program: 'recon-main.ts',
    leadingArgs: ['breaks'],
    exitCodes: '0 none open, 1 breaks to explain (one JSON line each, then a summary by kind), 2 could not run',
  },
};

const RECON_PROGRAMS: ServiceProgramTable = { service: 'payment', verb: 'recon', commands: RECON_COMMANDS };

/** `./platform recon <command> [args…]`; returns the process exit code. */
export function runReconCommand(args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  return runServiceCommand(RECON_PROGRAMS, args, config, options);
}
