import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { databaseUnavailableProblem, isDatabaseUnavailable } from './database-unavailable';
import { problem, PROBLEM_CONTENT_TYPE, ProblemException, type ProblemDetails, type ProblemType } from './problem';

/** What Express' body parser (raw-body) attaches to the errors it throws. */
interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
}

const STATUS_PROBLEMS: Readonly<Record<number, ProblemType>> = {
  [HttpStatus.BAD_REQUEST]: 'validation-failed',
  [HttpStatus.UNAUTHORIZED]: 'unauthenticated',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not-found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method-not-allowed',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload-too-large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported-media-type',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'unprocessable',
  [HttpStatus.TOO_MANY_REQUESTS]: 'rate-limited',
};

/**
 * Every error leaves as application/problem+json. Our own problems go out as they are; Nest's and
 * the body parser's are mapped onto the catalogue with a detail of our own words (never theirs:
 * they may name internals); a database that cannot be reached now is a 503 with Retry-After;
 * anything else is a 500 that says nothing and is logged with its class
 * and message (never the request body). Used by the Nest filter and by the Express error handler
 * behind the body parser (whose errors never reach Nest).
 */
export function sendProblem(exception: unknown, request: Request, response: Response, logger: Logger): void {
  const { details, headers } = problemFor(exception, request, logger);
  if (response.headersSent) return;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(details.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(details));
}

function problemFor(exception: unknown, request: Request, logger: Logger): { details: ProblemDetails; headers: Readonly<Record<string, string>> } {
  if (exception instanceof ProblemException) return { details: exception.problem, headers: exception.headers };
  const parserError = exception as BodyParserError;
  if (parserError.type === 'entity.parse.failed') return { details: problem('malformed-json', 'The body could not be parsed as JSON.'), headers: {} };
  if (parserError.type === 'entity.too.large') return { details: problem('payload-too-large', 'The body exceeds the size this API accepts.'), headers: {} };
  if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') return { details: problem('unsupported-media-type', 'Send the body as UTF-8 JSON.'), headers: {} };
  if (parserError.type === 'request.aborted') return { details: problem('validation-failed', 'The request body was not received whole.'), headers: {} };
  if (exception instanceof HttpException) {
    const type = STATUS_PROBLEMS[exception.getStatus()];
    if (type !== undefined) return { details: problem(type, type === 'not-found' ? `No resource at ${request.method} ${request.path}.` : undefined), headers: {} };
  }
  const error = exception instanceof Error ? exception : new Error(String(exception));
  if (isDatabaseUnavailable(error)) {
    logger.warn({ errorClass: error.name, error: error.message, method: request.method, route: (request.route as { path?: string } | undefined)?.path ?? 'unmatched' }, 'request refused: the database cannot be reached now');
    const unavailable = databaseUnavailableProblem();
    return { details: unavailable.problem, headers: unavailable.headers };
  }
  logger.error({ errorClass: error.name, error: error.message, method: request.method, route: (request.route as { path?: string } | undefined)?.path ?? 'unmatched' }, 'request failed with an internal error');
  return { details: problem('internal', 'The request could not be completed; it is safe to retry with the same Idempotency-Key.'), headers: {} };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.logger);
  }
}
