import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { podmanEnv, type PlatformConfig } from '@txn/infra-local';

const run = promisify(execFile);

/** Cold, every base layer and package: about 7 minutes here; warm it is the layer cache's answer. */
const IMAGES_BUILD_TIMEOUT_MS = 20 * 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The infrastructure images a test run's containers come from, by `./platform images build` name. */
export interface InfrastructureImages {
  readonly postgres: string;
  readonly kafka: string;
  readonly schemaRegistry: string;
  readonly pspSandbox: string;
  readonly pspProxy: string;
}

const BUILD_NAMES: Readonly<Record<keyof InfrastructureImages, string>> = { postgres: 'postgres', kafka: 'kafka', schemaRegistry: 'schema-registry', pspSandbox: 'psp-sandbox', pspProxy: 'psp-proxy' };

function packageVersion(rootDir: string, dir: string): string {
  return (JSON.parse(readFileSync(join(rootDir, dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The tags `./platform images build` gives them (localhost/txn-<name>:<version>). */
export function infrastructureImages(config: PlatformConfig): InfrastructureImages {
  return {
    postgres: `localhost/txn-postgres:${config.postgres.version}`,
    kafka: `localhost/txn-kafka:${config.kafka.version}`,
    schemaRegistry: `localhost/txn-schema-registry:${config.schemaRegistry.version}`,
    pspSandbox: `localhost/txn-psp-sandbox:${config.pspSandbox.version}`,
    pspProxy: `localhost/txn-psp-proxy:${packageVersion(config.rootDir, 'tools/psp-proxy')}`,
  };
}

/** A shell word: the health check's exec form, run by `/bin/sh -c` inside the container. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The image's own HEALTHCHECK (`CMD` exec form) as one shell command line. Read with podman's
 * own inspect: podman 4.3's Docker API leaves the health check out of an image's Config.
 */
export async function imageHealthCommand(config: PlatformConfig, image: string): Promise<string> {
  const { stdout } = await run('podman', ['image', 'inspect', image, '--format', '{{json .Config.Healthcheck}}'], { env: podmanEnv(config), timeout: 30_000 });
  const [form, ...command] = (JSON.parse(stdout) as { Test?: string[] } | null)?.Test ?? [];
  if (form !== 'CMD' || command.length === 0) throw new Error(`${image} has no HEALTHCHECK CMD to tell when it is ready`);
  return command.map(shellQuote).join(' ');
}

/**
 * The images of the tree under test, with the project's own build step: `./platform images build`
 * rebuilds those missing or labelled with other inputs than this tree's (decision 0041), and
 * answers in seconds when none is.
 */
export async function ensureImages(config: PlatformConfig, images: InfrastructureImages): Promise<void> {
  const names = (Object.keys(images) as (keyof InfrastructureImages)[]).map((key) => BUILD_NAMES[key]);
  process.stderr.write(`[test-containers] ./platform images build ${names.join(' ')}\n`);
  await run(join(config.rootDir, 'platform'), ['images', 'build', ...names], { cwd: config.rootDir, timeout: IMAGES_BUILD_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES });
}
