import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './generated/api';

export type { components, operations, paths };

/** A typed client of the public API: `client.GET('/v1/me')`, `client.POST(path, { body, headers })`; paths, bodies and answers checked by the compiler. */
export type ApiClient = Client<paths>;

/** The body of every error the API answers (RFC 9457, application/problem+json). */
export type ProblemDetails = components['schemas']['ProblemDetails'];

export interface ApiClientOptions {
  /** Replaces the global fetch (tests, instrumentation). */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/**
 * A client for the gateway at `baseUrl` (e.g. http://127.0.0.1:18500) that sends `credential`
 * (an API key `txn_sk_…` or a staff token) as `Authorization: Bearer`. Types come from the
 * committed OpenAPI document, regenerated with `npm run api-client:generate`.
 */
export function createApiClient(baseUrl: string, credential: string, options: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
  const authorization: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${credential}`);
      return request;
    },
  };
  client.use(authorization);
  return client;
}

/** True for an error body in the problem shape (what every non-2xx of the API carries). */
export function isProblem(value: unknown): value is ProblemDetails {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && typeof (value as { status?: unknown }).status === 'number';
}
