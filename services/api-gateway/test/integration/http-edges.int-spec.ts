import { waitFor } from '@txn/testing';
import { startGatewayInProcess, type GatewayInProcess } from './support';

// The public HTTP surface's edges, on the gateway in-process (real PostgreSQL, Kafka, registry):
// every error is problem+json with a stable type and nothing internal in it.

describe('api-gateway HTTP edges (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-edges', settings: { bodyLimit_bytes: 2_048 } });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function problemOf(response: Response): Promise<Record<string, unknown>> {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    const text = JSON.stringify(body);
    // Nothing internal: no stack frame, no file, no framework's own message.
    expect(text).not.toMatch(/at \w+ \(|\.ts:\d+|node_modules|Cannot (GET|POST)|Exception/);
    return body;
  }

  it('counts every answer for the SLOs by method, route template (never the raw path) and code, with its duration, on /metrics', async () => {
    await fetch(`${gateway.baseUrl}/problems/not-found`);
    await fetch(`${gateway.baseUrl}/no/such/route/4711`);
    const metrics = gateway.service.dependencies.metrics;
    // Counted when the response finishes: a moment after the client has it.
    const requests = await waitFor('both answers counted', async () => {
      const text = await metrics.getSingleMetricAsString('gateway_http_requests_total');
      return /route="unmatched",code="404"/.test(text) && /route="\/problems\/:type",code="200"/.test(text) ? text : undefined;
    }, 5_000);
    expect(requests).toMatch(/gateway_http_requests_total\{method="GET",route="\/problems\/:type",code="200",service="api-gateway"\} 1/);
    expect(requests).not.toContain('4711');
    const durations = await metrics.getSingleMetricAsString('gateway_http_request_duration_seconds');
    expect(durations).toMatch(/gateway_http_request_duration_seconds_count\{service="api-gateway",method="GET",route="\/problems\/:type",waited="no"\} 1/);
  });

  it('answers an unknown route 404 problem+json naming the route, for any method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await fetch(`${gateway.baseUrl}/v1/no-such-thing`, { method });
      expect(response.status).toBe(404);
      expect(await problemOf(response)).toEqual({ type: '/problems/not-found', title: 'Not found', status: 404, detail: `No resource at ${method} /v1/no-such-thing.` });
    }
  });

  it('answers malformed JSON 400, a wrong content type 415 and an oversized body 413, each as problem+json', async () => {
    const malformed = await fetch(`${gateway.baseUrl}/v1/no-such-thing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(await problemOf(malformed)).toMatchObject({ type: '/problems/malformed-json', status: 400 });

    const form = await fetch(`${gateway.baseUrl}/v1/no-such-thing`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
    expect(await problemOf(form)).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });

    const large = await fetch(`${gateway.baseUrl}/v1/no-such-thing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ padding: 'x'.repeat(4_096) }) });
    expect(large.status).toBe(413);
    expect(await problemOf(large)).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('dereferences its problem types: GET /problems/<type> says what it means; an unknown one is itself a 404 problem', async () => {
    const known = await fetch(`${gateway.baseUrl}/problems/idempotency-key-reused`);
    expect(known.status).toBe(200);
    expect(await known.json()).toEqual({ type: '/problems/idempotency-key-reused', status: 422, title: 'This idempotency key was used with another request' });
    const unknown = await fetch(`${gateway.baseUrl}/problems/constructor`);
    expect(unknown.status).toBe(404);
    await problemOf(unknown);
  });

  it('never says what framework it runs on', async () => {
    const response = await fetch(`${gateway.baseUrl}/problems`);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
