import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult } from '../component';
import type { PlatformConfig } from '../config';
import { runCommand } from '../run-command';

/**
 * Mailpit: a real SMTP server that keeps what it receives and shows it (web UI, and
 * `GET /api/v1/messages` for tests), where the notification service sends customers' emails
 * locally. Built from the Go module proxy with `go install` into the component folder (about
 * 40 s cold; nothing outside `.platform/`), run on loopback with its messages in the data folder.
 */

const HOST = '127.0.0.1';
const MODULE = 'github.com/axllent/mailpit';
/** Measured cold here: about 40 s; the bound leaves room for a slow proxy. */
const INSTALL_TIMEOUT_MS = 600_000;
const PROBE_TIMEOUT_MS = 2_000;

export function mailpitSmtpUrl(config: PlatformConfig): string {
  return `smtp://${HOST}:${config.mailpit.smtpPort}`;
}

export function mailpitApiUrl(config: PlatformConfig): string {
  return `http://${HOST}:${config.mailpit.httpPort}`;
}

function binary(ctx: ComponentContext): string {
  return join(ctx.componentDir, `mailpit-${ctx.config.mailpit.version}`, 'bin', 'mailpit');
}

async function probeMailpit(config: PlatformConfig): Promise<ProbeResult> {
  const url = `${mailpitApiUrl(config)}/api/v1/info`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { Version?: unknown };
    return response.status === 200 && typeof body.Version === 'string' ? { ready: true } : { ready: false, reason: `GET ${url} answered ${response.status}` };
  } catch (error) {
    return { ready: false, reason: `GET ${url} failed: ${(error as Error).message}` };
  }
}

export const mailpitComponent: Component = {
  name: 'mailpit',
  dependsOn: [],
  readinessTimeout_s: 30,
  stopTimeout_s: 10,

  version: (ctx) => ctx.config.mailpit.version,
  ports: (ctx) => [
    { name: 'smtp', port: ctx.config.mailpit.smtpPort },
    { name: 'http', port: ctx.config.mailpit.httpPort },
  ],

  async install(ctx) {
    if (existsSync(binary(ctx))) return;
    const root = join(ctx.componentDir, `mailpit-${ctx.config.mailpit.version}`);
    mkdirSync(root, { recursive: true });
    ctx.log(`building Mailpit ${ctx.config.mailpit.version} with go install (Go module proxy) into ${root}`);
    // Go's own module and build caches, as for Jaeger: a later clean checkout only links.
    await runCommand('go', ['install', `${MODULE}@${ctx.config.mailpit.version}`], {
      logFile: ctx.logFile,
      timeout_ms: INSTALL_TIMEOUT_MS,
      env: { GOBIN: join(root, 'bin'), GOFLAGS: '-modcacherw', CGO_ENABLED: '0' },
    });
  },

  command(ctx) {
    return {
      command: binary(ctx),
      args: ['--smtp', `${HOST}:${ctx.config.mailpit.smtpPort}`, '--listen', `${HOST}:${ctx.config.mailpit.httpPort}`, '--database', join(ctx.dataDir, 'mailpit.db'), '--smtp-auth-accept-any', '--smtp-auth-allow-insecure'],
      cwd: ctx.dataDir,
    };
  },

  probe: (ctx) => probeMailpit(ctx.config),
};
