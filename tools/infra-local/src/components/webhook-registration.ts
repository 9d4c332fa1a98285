import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ComponentContext } from '../component';
import type { PlatformConfig } from '../config';
import { secretFile } from '../secrets';
import { pspSandboxUrl } from './psp-sandbox';

/** The webhook id the local sandbox knows the ingress by; registering again replaces it. */
const SANDBOX_WEBHOOK_ID = 'txn-webhook-ingress';
const SECRET_NAME = 'webhook-stripe-signing-secret';
const REGISTER_TIMEOUT_MS = 5_000;

/** The signing secret the local sandbox signs with and the ingress verifies with, shaped as Stripe's `whsec_…`; made once. */
function ensureSigningSecret(stateDir: string): string {
  const path = secretFile(stateDir, SECRET_NAME);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `whsec_${randomBytes(24).toString('base64url')}`, { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

/** The ingress reads the secret from its file, like every secret. */
export function ingressSecretEnv(ctx: ComponentContext): Record<string, string> {
  ensureSigningSecret(ctx.stateDir);
  return { WEBHOOK_STRIPE_SECRET_FILE: secretFile(ctx.stateDir, SECRET_NAME) };
}

/**
 * Tells the local sandbox to deliver its events to the ingress, signed with the shared secret, as
 * a Stripe dashboard's webhook endpoint would. localstripe keeps webhooks in memory, so this runs
 * again whenever the sandbox process changed (the setup key is its pid).
 */
export async function registerIngressWithSandbox(ctx: ComponentContext, ingressUrl: string): Promise<void> {
  const secret = ensureSigningSecret(ctx.stateDir);
  const body = new URLSearchParams({ url: `${ingressUrl}/webhooks/stripe`, secret });
  const response = await fetch(`${pspSandboxUrl(ctx.config)}/_config/webhooks/${SANDBOX_WEBHOOK_ID}`, { method: 'POST', body, signal: AbortSignal.timeout(REGISTER_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`the PSP sandbox refused the ingress' webhook registration: ${response.status} ${(await response.text()).slice(0, 200)}`);
}

/** Which sandbox process the registration was made with. */
export function sandboxProcessKey(config: PlatformConfig): string {
  const pidFile = join(config.stateDir, 'run', 'psp-sandbox.pid');
  return existsSync(pidFile) ? `sandbox-pid:${readFileSync(pidFile, 'utf8').trim()}` : 'sandbox-pid:none';
}
