import type { PlatformConfig } from '@txn/infra-local';
import { runServiceCommand, type ServiceProgram, type ServiceProgramOptions, type ServiceProgramTable } from './service-programs';

/** `./platform notifications <command>`: the notification service's own program (`services/notification/src/notification-main.ts`) on its database. */
export const NOTIFICATION_COMMANDS: Readonly<Record<string, ServiceProgram>> = {
  deliveries: {
    summary: 'the webhook delivery log, newest first, each delivery with every attempt [--endpoint E] [--merchant M] [--type T] [--status PENDING|SUCCEEDED|GAVE_UP] [--since 24h] [--until T] [--limit N]',
    program: 'notification-main.ts',
    leadingArgs: ['deliveries'],
    exitCodes: '0 printed (nothing matched is said on stderr), 2 could not run',
  },
  replay: {
    summary: 'send again, same event id and body, due now: <delivery id> | --endpoint E --since 24h',
    program: 'notification-main.ts',
    leadingArgs: ['replay'],
    exitCodes: '0 replayed (the count on stdout), 1 nothing matched, 2 could not run',
  },
};

const NOTIFICATION_PROGRAMS: ServiceProgramTable = { service: 'notification', verb: 'notifications', commands: NOTIFICATION_COMMANDS };

/** `./platform notifications <command> [args…]`; returns the process exit code. */
export function runNotificationsCommand(args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  return runServiceCommand(NOTIFICATION_PROGRAMS, args, config, options);
}
