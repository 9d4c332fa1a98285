import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayInProcess, type GatewayInProcess } from './support';

// The OpenAPI document the gateway serves is the one committed at services/api-gateway/openapi.json
// (a contract change shows in review). OPENAPI_WRITE=1 rewrites the committed file from the served
// one instead: `npm run openapi:write`.

const COMMITTED = join(__dirname, '..', '..', 'openapi.json');
const WRITE = process.env['OPENAPI_WRITE'] === '1';

describe('api-gateway OpenAPI document (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-openapi' });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves OpenAPI 3.1 at GET /openapi.json without credentials: bearer auth, the shared ProblemDetails schema, every operation answering problems', async () => {
    const response = await fetch(`${gateway.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes['bearer']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.components.schemas['ProblemDetails']).toEqual(expect.objectContaining({ required: expect.arrayContaining(['type', 'title', 'status']) }));
    expect(document.paths['/v1/me']?.['get']).toBeDefined();
    for (const operations of Object.values(document.paths)) for (const operation of Object.values(operations)) expect(operation.responses['default']).toBeDefined();
  });

  it('serves Swagger UI at /docs without credentials', async () => {
    const response = await fetch(`${gateway.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('serves exactly the committed services/api-gateway/openapi.json', async () => {
    const served = `${JSON.stringify(await (await fetch(`${gateway.baseUrl}/openapi.json`)).json(), null, 2)}\n`;
    if (WRITE) writeFileSync(COMMITTED, served);
    const committed = readFileSync(COMMITTED, 'utf8');
    if (served !== committed) throw new Error('services/api-gateway/openapi.json differs from the document the gateway serves: run `npm run openapi:write` (then `npm run api-client:generate`) and commit both');
    expect(committed).toBe(served);
  });
});
