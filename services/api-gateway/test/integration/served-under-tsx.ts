// Run by runtime.int-spec.ts as the services run (`node --import tsx --import
// tools/decorator-metadata/register.cjs`), not under Jest's swc: starts the gateway in-process,
// and prints one JSON line with the served OpenAPI document and the answer to an invalid body.
import { randomUUID } from 'node:crypto';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { startGatewayInProcess } from './support';

async function main(): Promise<void> {
  const gateway = await startGatewayInProcess({ suiteName: 'gateway-runtime' });
  try {
    await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ('merchant-r', 'merchant-r', 'EUR')");
    const issued = await issueApiKey();
    await gateway.pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, 'merchant-r', $2, $3, 'runtime', 'developer', 'test')", [randomUUID(), issued.prefix, issued.secretHash]);
    const document = await (await fetch(`${gateway.baseUrl}/openapi.json`)).text();
    const invalid = await fetch(`${gateway.baseUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ resourceId: 'room-1', slot: { startsAt: '2031-01-02T10:00:00Z', endsAt: '2031-01-02T11:00:00Z' }, price: { amountMinor: -5, currency: 'EUR' }, customerId: 'c', unknown: 1 }),
    });
    process.stdout.write(`${JSON.stringify({ document, invalidStatus: invalid.status, invalidBody: await invalid.json() })}\n`);
  } finally {
    await gateway.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
