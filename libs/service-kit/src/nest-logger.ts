import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest's own messages (module wiring, lifecycle) through the service's pino logger: one log format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...context: unknown[]): void {
    this.logger.info({ nestContext: last(context) }, text(message));
  }
  error(message: unknown, ...context: unknown[]): void {
    this.logger.error({ nestContext: last(context) }, text(message));
  }
  warn(message: unknown, ...context: unknown[]): void {
    this.logger.warn({ nestContext: last(context) }, text(message));
  }
  debug(message: unknown, ...context: unknown[]): void {
    this.logger.debug({ nestContext: last(context) }, text(message));
  }
  verbose(message: unknown, ...context: unknown[]): void {
    this.logger.trace({ nestContext: last(context) }, text(message));
  }
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return `${message.name}: ${message.message}`;
  return JSON.stringify(message) ?? String(message);
}

function last(context: readonly unknown[]): unknown {
  return context[context.length - 1];
}
