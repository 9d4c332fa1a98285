import type { PlatformConfig } from '@txn/infra-local';
import { runServiceCommand, type ServiceProgram, type ServiceProgramOptions, type ServiceProgramTable } from './service-programs';

/**
 * `./platform ingress <command>`: the webhook ingress' own program
 * (`services/webhook-ingress/src/catch-up-main.ts`) on its database. A catch-up is asked of the
 * running ingress, which reads the PSP's event list with its own key and stores what it missed.
 */
export const INGRESS_COMMANDS: Readonly<Record<string, ServiceProgram>> = {
  'catch-up': {
    summary: "fetch the PSP's events since a time and feed them through the webhook path, deduplicated [--since 24h|ISO] [--account A] [--wait-s N]",
    program: 'catch-up-main.ts',
    leadingArgs: ['catch-up'],
    exitCodes: '0 caught up (the report as one JSON line), 1 stopped at its page bound (run again) or no API key for that account, 2 could not run',
  },
};

const INGRESS_PROGRAMS: ServiceProgramTable = { service: 'webhook-ingress', verb: 'ingress', commands: INGRESS_COMMANDS };

/** `./platform ingress <command> [args…]`; returns the process exit code. */
export function runIngressCommand(args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  return runServiceCommand(INGRESS_PROGRAMS, args, config, options);
}
