import { Catch, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { ServiceDependencies } from '@txn/service-kit';
import { INGRESS_CONTEXT, type IngressContext } from '../ingress-context';
import type { IngressSettings } from '../settings';
import { sendIngressProblem } from './problem';

/** A refusal by the body parser (before our handler): counted and logged with its source like the handler's own. */
function refuse(reason: 'body_too_large' | 'content_type', problem: 'payload-too-large' | 'unsupported-media-type', request: Request, response: Response, context: IngressContext): void {
  context.metrics.rejected.inc({ provider: 'stripe', reason });
  context.logger.warn({ reason, source: request.socket.remoteAddress }, 'webhook refused');
  sendIngressProblem(response, problem);
}

/** Anything that escapes a handler: the database unreachable, mostly. 503, so the PSP delivers again; logged without the body. */
function answerFailure(error: unknown, request: Request, response: Response, context: IngressContext): void {
  const parser = error as { type?: string };
  if (parser.type === 'entity.too.large') return refuse('body_too_large', 'payload-too-large', request, response, context);
  if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') return refuse('content_type', 'unsupported-media-type', request, response, context);
  const status = (error as { status?: number; getStatus?: () => number }).getStatus?.();
  if (status === 404) return sendIngressProblem(response, 'not-found');
  const failure = error instanceof Error ? error : new Error(String(error));
  context.logger.error({ errorClass: failure.name, error: failure.message, method: request.method, source: request.socket.remoteAddress }, 'webhook not stored: answered 503 so the PSP delivers again');
  context.metrics.unavailable.inc({ provider: 'stripe' });
  sendIngressProblem(response, 'unavailable');
}

@Catch()
class IngressFailureFilter implements ExceptionFilter {
  constructor(private readonly context: IngressContext) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerFailure(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.context);
  }
}

/** Raw bytes for the signature (never a parsed-and-reserialised body), a body limit, problem+json for every failure. */
export function configureIngressHttp(app: INestApplication, _dependencies: ServiceDependencies, settings: IngressSettings): void {
  const context = app.get<IngressContext>(INGRESS_CONTEXT);
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.useBodyParser('raw', { type: 'application/json', limit: settings.bodyLimit_bytes });
  express.use((error: unknown, request: Request, response: Response, _next: NextFunction) => answerFailure(error, request, response, context));
  app.useGlobalFilters(new IngressFailureFilter(context));
}
