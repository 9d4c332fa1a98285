import { distribution, type Distribution } from './figures';

// Times the PSP sandbox itself, without our proxy or services: the same two calls payment makes
// per saga (create-and-confirm a manual-capture intent, then capture it). localstripe's latency
// grows with the objects it stores (docs/psp-sandbox.md), so the probe runs before and after the
// load and reports how many intents the sandbox held each time.

export interface PspProbe {
  readonly storedIntents: number;
  readonly authorize_ms: Distribution;
  readonly capture_ms: Distribution;
  /** The first intent the probe created: every intent made after it is listed after it. */
  readonly firstIntentId: string;
}

/** Enough calls for a median that one slow call does not move, few enough to add little to the store. */
export const PROBE_FLOWS = 5;
const PROBE_TIMEOUT_MS = 10_000;

interface IntentAnswer {
  readonly id: string;
  readonly status: string;
}

async function post(sandboxUrl: string, apiKey: string, path: string, form: Record<string, string>): Promise<IntentAnswer> {
  const response = await fetch(`${sandboxUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  const body = (await response.json()) as IntentAnswer;
  if (!response.ok) throw new Error(`PSP probe ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

export async function storedIntentCount(sandboxUrl: string, apiKey: string): Promise<number> {
  const response = await fetch(`${sandboxUrl}/v1/payment_intents?limit=1`, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const body = (await response.json()) as { total_count?: number };
  return body.total_count ?? Number.NaN;
}

export async function probePsp(sandboxUrl: string, apiKey: string, label: string): Promise<PspProbe> {
  const storedIntents = await storedIntentCount(sandboxUrl, apiKey);
  const authorize: number[] = [];
  const capture: number[] = [];
  let firstIntentId: string | undefined;
  for (let flow = 0; flow < PROBE_FLOWS; flow += 1) {
    let at = performance.now();
    const intent = await post(sandboxUrl, apiKey, '/v1/payment_intents', {
      amount: '100',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: 'true',
      'metadata[bench_probe]': label,
    });
    authorize.push(performance.now() - at);
    firstIntentId ??= intent.id;
    at = performance.now();
    await post(sandboxUrl, apiKey, `/v1/payment_intents/${intent.id}/capture`, {});
    capture.push(performance.now() - at);
  }
  return { storedIntents, authorize_ms: distribution(authorize, 1), capture_ms: distribution(capture, 1), firstIntentId: firstIntentId ?? '' };
}
