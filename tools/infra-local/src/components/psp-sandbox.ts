import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult } from '../component';
import type { PlatformConfig } from '../config';
import { runCommand } from '../run-command';

/**
 * The PSP sandbox: localstripe (a stateful Stripe stand-in from PyPI) in a Python venv of its own,
 * started through deploy/local/psp-sandbox/serve.py, which binds loopback only and keeps state in
 * our data folder (localstripe alone binds every interface and writes /tmp/localstripe.pickle).
 * See docs/psp-sandbox.md for what it accepts and docs/decisions/0004-psp-sandbox.md for why.
 */

const HOST = '127.0.0.1';
/** localstripe accepts any key that starts with `sk_` and has more characters after it. */
const PROBE_API_KEY = 'sk_test_platform_probe';
const PROBE_TIMEOUT_MS = 2_000;
const VENV_TIMEOUT_MS = 120_000;
/** Measured cold (no pip cache): about 15 s; the bound leaves room for a slow registry. */
const PIP_TIMEOUT_MS = 600_000;
const STAMP_FILE = 'installed.json';

interface InstallStamp {
  readonly localstripe: string;
  /** sha256 of the requirement files: any edit to a pin reinstalls the venv from scratch. */
  readonly requirements_sha256: string;
}

export function pspSandboxUrl(config: PlatformConfig): string {
  return `http://${HOST}:${config.pspSandbox.port}`;
}

function deployDir(ctx: ComponentContext): string {
  return join(ctx.rootDir, 'deploy', 'local', 'psp-sandbox');
}

function venvDir(ctx: ComponentContext): string {
  return join(ctx.componentDir, 'venv');
}

function venvPython(ctx: ComponentContext): string {
  return join(venvDir(ctx), 'bin', 'python');
}

function requirementFiles(ctx: ComponentContext): { build: string; runtime: string } {
  return { build: join(deployDir(ctx), 'build-requirements.txt'), runtime: join(deployDir(ctx), 'requirements.txt') };
}

/** The stamp this checkout wants; fails fast when platform.json and requirements.txt disagree. */
function wantedStamp(ctx: ComponentContext): InstallStamp {
  const files = requirementFiles(ctx);
  const build = readFileSync(files.build, 'utf8');
  const runtime = readFileSync(files.runtime, 'utf8');
  const pinned = /^localstripe==(\S+)\s*$/m.exec(runtime)?.[1];
  const configured = ctx.config.pspSandbox.version;
  if (pinned !== configured) {
    throw new Error(
      `platform.json asks for localstripe ${configured} but ${files.runtime} pins ${pinned ?? 'no localstripe==<version>'}; make them agree`,
    );
  }
  const requirements_sha256 = createHash('sha256').update(build).update('\0').update(runtime).digest('hex');
  return { localstripe: configured, requirements_sha256 };
}

function installedStamp(ctx: ComponentContext): InstallStamp | undefined {
  try {
    return JSON.parse(readFileSync(join(ctx.componentDir, STAMP_FILE), 'utf8')) as InstallStamp;
  } catch {
    return undefined;
  }
}

async function pip(ctx: ComponentContext, args: readonly string[]): Promise<void> {
  await runCommand(venvPython(ctx), ['-m', 'pip', ...args], {
    logFile: ctx.logFile,
    timeout_ms: PIP_TIMEOUT_MS,
    env: { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' },
  });
}

async function probeSandbox(config: PlatformConfig): Promise<ProbeResult> {
  const url = `${pspSandboxUrl(config)}/v1/customers?limit=1`;
  try {
    // A real API call through localstripe's auth and store, not a port check.
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${PROBE_API_KEY}` },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = (await response.json()) as { object?: unknown };
    if (response.status === 200 && body.object === 'list') return { ready: true };
    return { ready: false, reason: `GET ${url} answered ${response.status} ${JSON.stringify(body).slice(0, 200)}` };
  } catch (error) {
    return { ready: false, reason: `GET ${url} failed: ${(error as Error).message}` };
  }
}

export const pspSandboxComponent: Component = {
  name: 'psp-sandbox',
  dependsOn: [],
  // Measured here: ready 0.3 s after spawn when empty, 1.2 s with 500 payment flows stored.
  readinessTimeout_s: 30,
  // serve.py gives requests in flight 5 s on SIGTERM, then writes the state file.
  stopTimeout_s: 10,

  version: (ctx) => ctx.config.pspSandbox.version,
  ports: (ctx) => [{ name: 'http', port: ctx.config.pspSandbox.port }],

  async install(ctx) {
    const wanted = wantedStamp(ctx);
    const installed = installedStamp(ctx);
    if (
      installed?.localstripe === wanted.localstripe &&
      installed.requirements_sha256 === wanted.requirements_sha256 &&
      existsSync(venvPython(ctx)) // a dangling link when the Python it was made from is gone
    ) {
      return;
    }
    const files = requirementFiles(ctx);
    ctx.log(`installing localstripe ${wanted.localstripe} into ${venvDir(ctx)} (pinned: ${files.runtime})`);
    rmSync(join(ctx.componentDir, STAMP_FILE), { force: true });
    rmSync(venvDir(ctx), { recursive: true, force: true });
    await runCommand('python3', ['-m', 'venv', venvDir(ctx)], { logFile: ctx.logFile, timeout_ms: VENV_TIMEOUT_MS });
    // Every package is pinned, so pip resolves nothing (--no-deps) and `pip check` proves the
    // list complete. localstripe ships only a source archive: it is built against the pinned
    // setuptools installed first, not against whatever build isolation would download that day.
    await pip(ctx, ['install', '--no-deps', '-r', files.build]);
    await pip(ctx, ['install', '--no-deps', '--no-build-isolation', '-r', files.runtime]);
    await pip(ctx, ['check']);
    writeFileSync(join(ctx.componentDir, STAMP_FILE), `${JSON.stringify(wanted, null, 2)}\n`);
  },

  command(ctx) {
    return {
      command: venvPython(ctx),
      // -I: no PYTHONPATH or user site-packages can shadow the pinned packages; -u: log lines
      // reach the log file as they happen.
      args: [
        '-I',
        '-u',
        join(deployDir(ctx), 'serve.py'),
        '--host', HOST,
        '--port', String(ctx.config.pspSandbox.port),
        '--state-file', join(ctx.dataDir, 'localstripe.pickle'),
      ],
      cwd: ctx.dataDir,
    };
  },

  probe: (ctx) => probeSandbox(ctx.config),
};
