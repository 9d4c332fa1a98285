import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

/**
 * Field paths pino replaces with "[redacted]" wherever they appear at these depths: credentials
 * and personal data must never reach a log line, even when a whole object is logged by mistake.
 * The contracts mark personal fields `sensitive` (customerEmail); credentials have fixed names.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'secret',
  'token',
  'authorization',
  'apiKey',
  'customerEmail',
  'email',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.apiKey',
  '*.customerEmail',
  '*.email',
  '*.*.password',
  '*.*.customerEmail',
  'headers.authorization',
  'headers.cookie',
  'config.database.password',
];

export interface LoggerOptions {
  readonly serviceName: string;
  readonly level: LogLevel;
  /** Default stdout; tests pass a stream to read the lines. */
  readonly destination?: DestinationStream;
}

/**
 * The active span's ids on every line written inside it (an HTTP request, a handled message, a
 * PSP call), so a log line leads to its trace and a trace to its lines. A line's own `traceId`
 * (e.g. of a message dead-lettered outside any span) wins over the ambient one.
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  const spanContext = span?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/** The platform's one logger: JSON lines, ISO time, the service's name on each line, trace ids, redaction. */
export function createServiceLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
