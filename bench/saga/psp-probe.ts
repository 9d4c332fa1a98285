import { randomUUID } from 'node:crypto';
import { startPspProxy } from '@txn/psp-proxy';
import { distribution, type Distribution } from './figures';

// The ceiling of the PSP path alone, without our services: the two calls payment makes per saga
// (create-and-confirm a manual-capture intent, then capture it, each with an idempotency key), by
// `concurrency` workers at once, straight to the sandbox and through a PSP proxy of our own in
// front of it (the same code the services' proxy runs). localstripe's cost grows with the objects
// it stores (docs/psp-sandbox.md), so each measurement says how many intents the sandbox held.

export interface PspPathFigures {
  /** Intents the sandbox held when this measurement started. */
  readonly storedIntents: number;
  readonly flows: number;
  readonly concurrency: number;
  readonly flows_per_s: number;
  readonly authorize_ms: Distribution;
  readonly capture_ms: Distribution;
}

export interface PspCeiling {
  readonly direct: PspPathFigures;
  readonly viaProxy: PspPathFigures;
}

const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Untimed flows before measuring a sandbox process just started: it answers its first couple of
 * hundred requests several times slower (measured, 32 at once on a fresh private sandbox: the first
 * 200 flows at ~80/s, the next 200 at 250–290/s), which is start-up, not the store's size.
 */
const WARM_UP_FLOWS = 200;

interface IntentAnswer {
  readonly id: string;
  readonly status: string;
}

async function post(baseUrl: string, apiKey: string, path: string, form: Record<string, string>): Promise<IntentAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': randomUUID() },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as IntentAnswer;
  if (!response.ok) throw new Error(`PSP probe ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

export async function storedIntentCount(sandboxUrl: string, apiKey: string): Promise<number> {
  const response = await fetch(`${sandboxUrl}/v1/payment_intents?limit=1`, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = (await response.json()) as { total_count?: number };
  return body.total_count ?? Number.NaN;
}

/** One intent to list after: every intent made later is listed after it (localstripe lists oldest first). */
export async function createMarkerIntent(sandboxUrl: string, apiKey: string, label: string): Promise<string> {
  return (await post(sandboxUrl, apiKey, '/v1/payment_intents', { amount: '100', currency: 'eur', 'metadata[bench_marker]': label })).id;
}

/** `flows` authorize+capture flows by `concurrency` workers against `baseUrl`. */
export async function measurePspPath(baseUrl: string, apiKey: string, flows: number, concurrency: number, label: string): Promise<PspPathFigures> {
  const authorize: number[] = [];
  const capture: number[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < flows) {
      started += 1;
      let at = performance.now();
      const intent = await post(baseUrl, apiKey, '/v1/payment_intents', {
        amount: '100',
        currency: 'eur',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: 'true',
        'metadata[bench_probe]': label,
      });
      authorize.push(performance.now() - at);
      at = performance.now();
      await post(baseUrl, apiKey, `/v1/payment_intents/${intent.id}/capture`, {});
      capture.push(performance.now() - at);
    }
  };
  const storedIntents = await storedIntentCount(baseUrl, apiKey);
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, flows) }, worker));
  const wall_s = (performance.now() - startedAt) / 1000;
  return { storedIntents, flows, concurrency, flows_per_s: Number((flows / wall_s).toFixed(1)), authorize_ms: distribution(authorize, 1), capture_ms: distribution(capture, 1) };
}

/**
 * The PSP path's ceiling now: straight to the sandbox, then through a proxy of our own. With
 * `emptyFirst` (a private sandbox, "fresh"), the store is emptied before each path, so that
 * neither measures the other's leftovers; without it ("loaded", or the shared sandbox) each path
 * reports the intents it found, the second one also those the first made.
 */
export async function measurePspCeiling(sandboxUrl: string, apiKey: string, flows: number, concurrency: number, label: string, emptyFirst?: () => Promise<void>): Promise<PspCeiling> {
  // Only a sandbox we just started is cold; the shared one, and ours after the run, are warm.
  if (emptyFirst !== undefined) {
    await measurePspPath(sandboxUrl, apiKey, WARM_UP_FLOWS, concurrency, `${label}-warm-up`);
    await emptyFirst();
  }
  const direct = await measurePspPath(sandboxUrl, apiKey, flows, concurrency, `${label}-direct`);
  const proxy = await startPspProxy({ upstreamUrl: sandboxUrl });
  try {
    // The proxy's first requests warm up too (its own process is the same, its sockets are new).
    await measurePspPath(proxy.url, apiKey, Math.min(WARM_UP_FLOWS, concurrency), concurrency, `${label}-proxy-warm-up`);
    await emptyFirst?.();
    const viaProxy = await measurePspPath(proxy.url, apiKey, flows, concurrency, `${label}-proxy`);
    return { direct, viaProxy };
  } finally {
    await proxy.close();
  }
}
