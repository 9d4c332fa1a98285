import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { FieldErrorSchema, ProblemDetailsSchema } from './openapi-problem';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

export const OPENAPI_PATH = '/openapi.json';
export const SWAGGER_UI_PATH = 'docs';
/** Where the document is committed (so that a contract change shows in review), relative to the repository. */
export const COMMITTED_OPENAPI = 'services/api-gateway/openapi.json';

const DESCRIPTION = [
  'The public API of the txn payments platform. Authenticate with `Authorization: Bearer <credential>`: a merchant API key (`txn_sk_<prefix>_<secret>`) or a staff token (JWT).',
  'Every error is RFC 9457 `application/problem+json` (schema `ProblemDetails`); branch on its `type`. Amounts are integers in minor units of their currency (e.g. 1250 EUR = €12.50), never decimals.',
  'POST operations that create something take an `Idempotency-Key`; a retry with the same key and body gets the first response again with `Idempotent-Replayed: true`.',
].join('\n\n');

/**
 * The OpenAPI 3.1 document of every controller the application holds (nothing to register: a new
 * controller is in it). Each operation also answers `default` with a problem, the shared schema.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('txn payments platform API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A merchant API key (`txn_sk_…`) or a staff JWT.' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsSchema, FieldErrorSchema], operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { responses?: Record<string, unknown> }>)) {
      if (typeof operation !== 'object' || operation === null || operation.responses === undefined) continue;
      operation.responses['default'] ??= { description: 'An error (RFC 9457 problem details).', content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } } };
    }
  }
  return document;
}

/** The document as committed: two-space JSON with a final newline. */
export function openApiText(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * `GET /openapi.json` and Swagger UI at `/docs`, both public (served by Express before Nest's
 * router, so no guard applies). A document that cannot be built never stops the API: both answer
 * 503 and the cause is logged. (The usual cause: a DTO property whose `@ApiProperty` names no
 * `type` — `node --import tsx` emits no decorator metadata, so every property must name it.)
 */
export function serveOpenApi(app: INestApplication, logger: Pick<Logger, 'error'>): void {
  let document: OpenAPIObject;
  try {
    document = openApiDocument(app);
  } catch (error) {
    logger.error({ errorClass: (error as Error).name, error: (error as Error).message }, 'the OpenAPI document could not be built: /openapi.json and /docs answer 503');
    const unavailable = (_request: Request, response: Response): void => {
      response.status(503).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem('unavailable', 'The API description is not available from this instance.')));
    };
    const express = app.getHttpAdapter();
    express.get(OPENAPI_PATH, unavailable);
    express.get(`/${SWAGGER_UI_PATH}`, unavailable);
    return;
  }
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, { jsonDocumentUrl: OPENAPI_PATH, raw: ['json'], customSiteTitle: 'txn API', swaggerOptions: { persistAuthorization: false } });
}
