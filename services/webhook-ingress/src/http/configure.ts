import { Catch, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ServiceDependencies } from '@txn/service-kit';
import type { IngressSettings } from '../settings';
import { sendIngressProblem } from './problem';

/** Anything that escapes a handler: the database unreachable, mostly. 503, so the PSP delivers again; logged without the body. */
function answerFailure(error: unknown, request: Request, response: Response, logger: Logger): void {
  const parser = error as { type?: string };
  if (parser.type === 'entity.too.large') return sendIngressProblem(response, 'payload-too-large');
  if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') return sendIngressProblem(response, 'unsupported-media-type');
  const status = (error as { status?: number; getStatus?: () => number }).getStatus?.();
  if (status === 404) return sendIngressProblem(response, 'not-found');
  const failure = error instanceof Error ? error : new Error(String(error));
  logger.error({ errorClass: failure.name, error: failure.message, method: request.method, source: request.socket.remoteAddress }, 'webhook not stored: answered 503 so the PSP delivers again');
  sendIngressProblem(response, 'unavailable');
}

@Catch()
class IngressFailureFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerFailure(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.logger);
  }
}

/** Raw bytes for the signature (never a parsed-and-reserialised body), a body limit, problem+json for every failure. */
export function configureIngressHttp(app: INestApplication, dependencies: ServiceDependencies, settings: IngressSettings): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.useBodyParser('raw', { type: 'application/json', limit: settings.bodyLimit_bytes });
  express.use((error: unknown, request: Request, response: Response, _next: NextFunction) => answerFailure(error, request, response, dependencies.logger));
  app.useGlobalFilters(new IngressFailureFilter(dependencies.logger));
}
