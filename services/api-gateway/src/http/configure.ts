import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { ServiceDependencies } from '@txn/service-kit';
import type { GatewaySettings } from '../settings';
import { ProblemException } from './problem';
import { ProblemFilter, sendProblem } from './problem.filter';
import { serveOpenApi } from './openapi';
import { requestMetrics } from './request-metrics';
import { RouteSpanInterceptor } from './route-span';
import { gatewayValidationPipe } from './validation';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body we would parse must say it is JSON; an empty body needs no type. */
function requireJsonBody(request: Request, _response: Response, next: NextFunction): void {
  const length = Number(request.headers['content-length'] ?? 0);
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (METHODS_WITH_BODY.has(request.method) && (length > 0 || chunked) && !request.is('application/json')) {
    next(ProblemException.of('unsupported-media-type', 'Send the body as application/json.'));
    return;
  }
  next();
}

/** The HTTP application's edges: body limit, content type, validation, problem+json, no framework banner. */
export function configureGatewayHttp(app: INestApplication, dependencies: ServiceDependencies, settings: GatewaySettings): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', false);
  express.use(requestMetrics(dependencies.metrics));
  express.use(requireJsonBody);
  express.useBodyParser('json', { limit: settings.bodyLimit_bytes, strict: true, type: 'application/json' });
  // Errors of the middlewares above (content type, body parser) never reach Nest's filters.
  express.use((error: unknown, request: Request, response: Response, _next: NextFunction) => sendProblem(error, request, response, dependencies.logger));
  app.useGlobalPipes(gatewayValidationPipe());
  app.useGlobalFilters(new ProblemFilter(dependencies.logger));
  app.useGlobalInterceptors(new RouteSpanInterceptor());
  serveOpenApi(app, dependencies.logger);
}
