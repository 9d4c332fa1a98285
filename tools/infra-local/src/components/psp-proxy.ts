import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult } from '../component';
import type { PlatformConfig } from '../config';
import { pspSandboxUrl } from './psp-sandbox';

/**
 * The PSP fault proxy (tools/psp-proxy) in front of the sandbox: honours Idempotency-Key the way
 * Stripe documents it (localstripe ignores it) and injects faults on request (admin API on the
 * same port: POST/GET/DELETE /_faults, GET /_stats). Runs from source with the project's Node and
 * tsx. Stored answers survive a restart in `<dataDir>/idempotency-journal.jsonl`, like
 * localstripe's objects do. See docs/decisions/0010-psp-fault-proxy.md.
 */

const HOST = '127.0.0.1';
const PROBE_API_KEY = 'sk_test_platform_probe';
const PROBE_TIMEOUT_MS = 2_000;

export function pspProxyUrl(config: PlatformConfig): string {
  return `http://${HOST}:${config.pspProxy.port}`;
}

function entryPoint(ctx: ComponentContext): string {
  return join(ctx.rootDir, 'tools', 'psp-proxy', 'src', 'main.ts');
}

/** A real call through the proxy to localstripe, not a port check. */
async function probeProxy(config: PlatformConfig): Promise<ProbeResult> {
  const url = `${pspProxyUrl(config)}/v1/customers?limit=1`;
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${PROBE_API_KEY}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { object?: unknown };
    if (response.status === 200 && body.object === 'list') return { ready: true };
    return { ready: false, reason: `GET ${url} answered ${response.status} ${JSON.stringify(body).slice(0, 200)}` };
  } catch (error) {
    return { ready: false, reason: `GET ${url} failed: ${(error as Error).message}` };
  }
}

export const pspProxyComponent: Component = {
  name: 'psp-proxy',
  dependsOn: ['psp-sandbox'],
  // tsx compiles on start: about a second on this machine.
  readinessTimeout_s: 30,
  // The proxy closes its connections on SIGTERM; requests in flight get 5 s.
  stopTimeout_s: 10,

  version: (ctx) => (JSON.parse(readFileSync(join(ctx.rootDir, 'tools', 'psp-proxy', 'package.json'), 'utf8')) as { version: string }).version,
  ports: (ctx) => [{ name: 'http', port: ctx.config.pspProxy.port }],

  // Nothing to install: Node and tsx come with the workspace's dependencies.
  install: () => Promise.resolve(),

  command(ctx) {
    return {
      // The Node running the supervisor is the project's pinned Node (./platform puts it first).
      command: process.execPath,
      args: [
        '--import', 'tsx',
        entryPoint(ctx),
        '--host', HOST,
        '--port', String(ctx.config.pspProxy.port),
        '--upstream', pspSandboxUrl(ctx.config),
        '--journal', join(ctx.dataDir, 'idempotency-journal.jsonl'),
      ],
      // `--import tsx` resolves from here (the workspace's node_modules).
      cwd: ctx.rootDir,
    };
  },

  probe: (ctx) => probeProxy(ctx.config),
};
