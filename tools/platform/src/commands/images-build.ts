import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { podmanEnv, type PlatformConfig } from '@txn/infra-local';
import { buildContext } from './image-context';
import { INPUTS_LABEL, inputsDigest } from './image-inputs';

/**
 * `./platform images build [name…]`: the platform's images, built with podman from
 * deploy/images/*.Containerfile on a Debian base made here (no public registry is reachable from
 * this machine; elsewhere the same files build FROM debian:bookworm-slim). Decision 0041.
 */

export const BASE_IMAGE = 'localhost/txn-debian-base:bookworm';
const DEBIAN_SUITE = 'bookworm';
/** The host's apt sources: the image's apt reaches the mirror the host's does. */
const HOST_APT_SOURCES = '/etc/apt/sources.list.d/debian.sources';
/** Certificates this machine trusts beyond the public ones (its TLS egress is intercepted). */
const HOST_EXTRA_CERTIFICATES = '/usr/local/share/ca-certificates';
const HOST_CERTIFICATE_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Debian's podman 4.3, runc (crun refuses this machine's cgroups), debootstrap, and docker-compose v1 for the compose file. */
export const CONTAINER_PACKAGES = ['podman', 'runc', 'debootstrap', 'docker-compose', 'containernetworking-plugins', 'golang-github-containernetworking-plugin-dnsname', 'catatonit'] as const;
const BUILD_TIMEOUT_MS = 20 * 60_000;

export interface ImageSpec {
  readonly name: string;
  readonly containerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly version: string;
}

function packageVersion(rootDir: string, dir: string): string {
  return (JSON.parse(readFileSync(join(rootDir, dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Every image: one per service, the proxy, the set-up steps, one per infrastructure component. */
export function imageSpecs(config: PlatformConfig): ImageSpec[] {
  const node = (name: string, dir: string): ImageSpec => ({ name, containerfile: 'deploy/images/node.Containerfile', buildArgs: { SERVICE: name, VERSION: packageVersion(config.rootDir, dir) }, version: packageVersion(config.rootDir, dir) });
  return [
    { name: 'postgres', containerfile: 'deploy/images/postgres.Containerfile', buildArgs: {}, version: config.postgres.version },
    { name: 'kafka', containerfile: 'deploy/images/kafka.Containerfile', buildArgs: { KAFKA_VERSION: config.kafka.version }, version: config.kafka.version },
    { name: 'schema-registry', containerfile: 'deploy/images/schema-registry.Containerfile', buildArgs: { APICURIO_VERSION: config.schemaRegistry.version }, version: config.schemaRegistry.version },
    { name: 'psp-sandbox', containerfile: 'deploy/images/psp-sandbox.Containerfile', buildArgs: {}, version: config.pspSandbox.version },
    node('psp-proxy', 'tools/psp-proxy'),
    node('platform-init', '.'),
    ...config.services.map((service) => node(service, `services/${service}`)),
  ];
}

export function imageTag(spec: ImageSpec): string {
  return `localhost/txn-${spec.name}:${spec.version}`;
}

/** podman with the project's containers.conf; shared with the test harness (@txn/infra-local). */
export { podmanEnv };

/** Runs a program, its output to stderr; resolves with its stdout when it exits 0. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, options: { timeout_ms: number; input?: 'inherit'; quiet?: boolean; cwd?: string }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', options.quiet === true ? 'pipe' : 'inherit'], timeout: options.timeout_ms, killSignal: 'SIGTERM' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Debian's container packages, installed when missing (as root, like the other components' packages). */
export async function ensureContainerTools(): Promise<void> {
  const missing = ['/usr/bin/podman', '/usr/sbin/runc', '/usr/sbin/debootstrap', '/usr/bin/docker-compose'].filter((binary) => !existsSync(binary));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(', ')} missing; run as root or: apt-get install -y ${CONTAINER_PACKAGES.join(' ')}`);
  process.stderr.write(`[images] installing ${CONTAINER_PACKAGES.join(' ')} from Debian\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-q'], env, { timeout_ms: 300_000, quiet: true });
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...CONTAINER_PACKAGES], env, { timeout_ms: 600_000, quiet: true });
}

function debianMirror(): string {
  const sources = existsSync(HOST_APT_SOURCES) ? readFileSync(HOST_APT_SOURCES, 'utf8') : '';
  return /^URIs:\s*(\S+)/m.exec(sources)?.[1] ?? 'http://deb.debian.org/debian';
}

/**
 * The base image, once: debootstrap minbase from the mirror apt uses here, with the host's apt
 * sources (updates and security too, so pinned versions resolve) and the certificates this
 * machine trusts, imported into podman. About 30 s and 170 MB.
 */
export async function ensureBaseImage(env: NodeJS.ProcessEnv, stateDir: string): Promise<void> {
  const exists = await run('podman', ['image', 'exists', BASE_IMAGE], env, { timeout_ms: 30_000, quiet: true }).then(() => true, () => false);
  if (exists) return;
  const rootfs = join(stateDir, 'images', 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  process.stderr.write(`[images] making ${BASE_IMAGE}: debootstrap --variant=minbase ${DEBIAN_SUITE} from ${debianMirror()}\n`);
  await run('debootstrap', ['--variant=minbase', DEBIAN_SUITE, rootfs, debianMirror()], env, { timeout_ms: 600_000, quiet: true });
  if (existsSync(HOST_APT_SOURCES)) {
    rmSync(join(rootfs, 'etc/apt/sources.list'), { force: true });
    copyFileSync(HOST_APT_SOURCES, join(rootfs, 'etc/apt/sources.list.d/debian.sources'));
  }
  const certificates = join(rootfs, 'usr/local/share/ca-certificates');
  mkdirSync(certificates, { recursive: true });
  if (existsSync(HOST_EXTRA_CERTIFICATES)) for (const file of readdirSync(HOST_EXTRA_CERTIFICATES)) copyFileSync(join(HOST_EXTRA_CERTIFICATES, file), join(certificates, file));
  mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
  if (existsSync(HOST_CERTIFICATE_BUNDLE)) copyFileSync(HOST_CERTIFICATE_BUNDLE, join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
  rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  await run('sh', ['-c', `tar -C '${rootfs}' -c . | podman import --quiet - ${BASE_IMAGE}`], env, { timeout_ms: 300_000, quiet: true });
  rmSync(rootfs, { recursive: true, force: true });
}

/** Bytes of an image as podman reports it (its layers, shared ones counted in each). */
export async function imageSize_bytes(env: NodeJS.ProcessEnv, tag: string): Promise<number> {
  return Number((await run('podman', ['image', 'inspect', '--format', '{{.Size}}', tag], env, { timeout_ms: 30_000, quiet: true })).trim());
}

const NODE_CONTAINERFILE = 'deploy/images/node.Containerfile';
const NODE_RUNTIME_TAG = 'localhost/txn-node-runtime:build';
/** Every image's podman build flags, part of its inputs digest. docker format: the OCI format has no HEALTHCHECK. */
const BUILD_FLAGS = ['--layers', '--format', 'docker'] as const;

function podmanBuildArgs(containerfile: string, buildArgs: Readonly<Record<string, string>>, tag: string, extra: readonly string[]): string[] {
  return ['build', '--quiet', ...BUILD_FLAGS, '-f', containerfile, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, ...Object.entries(buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]), ...extra, '-t', tag];
}

/** An image podman has under one of the platform's tags: its id and the inputs digest it was built from (none before labels). */
interface InstalledImage {
  readonly id: string;
  readonly inputs: string | undefined;
}

/** The platform's images podman holds (localhost/txn-*), by tag: one listing, about 0.5 s. */
async function installedImages(env: NodeJS.ProcessEnv): Promise<Map<string, InstalledImage>> {
  const listing = await run('podman', ['images', '--format', 'json', '--filter', 'reference=localhost/txn-*'], env, { timeout_ms: 60_000, quiet: true });
  const images = JSON.parse(listing) as { Id: string; Names?: string[] | null; Labels?: Record<string, string> | null }[];
  return new Map(images.flatMap((image) => (image.Names ?? []).map((tag): [string, InstalledImage] => [tag, { id: image.Id, inputs: image.Labels?.[INPUTS_LABEL] }])));
}

/** Each image's inputs digest (image-inputs.ts) for the tree at config.rootDir, by image name. */
export async function imageDigests(config: PlatformConfig, specs: readonly ImageSpec[], baseImageId: string): Promise<Map<string, string>> {
  const context = await buildContext(config.rootDir);
  return new Map(specs.map((spec) => {
    const containerfile = { path: spec.containerfile, text: readFileSync(join(config.rootDir, spec.containerfile), 'utf8') };
    return [spec.name, inputsDigest({ containerfile, buildArgs: { BASE_IMAGE, ...spec.buildArgs }, buildFlags: BUILD_FLAGS, baseImageId, ignoreText: context.ignoreText, contextFiles: context.files })];
  }));
}

/**
 * A Node program's image: node.Containerfile's shared `runtime` stage (built once per run, every
 * layer cached), then its `program` stage written out for this program. buildah 1.28 (Debian's
 * podman 4.3) reuses a cached layer whatever the build-arg values, so `--build-arg SERVICE=x`
 * gave one program's image another's name; a Containerfile per program cannot be confused.
 */
async function buildNodeImage(config: PlatformConfig, env: NodeJS.ProcessEnv, spec: ImageSpec, label: readonly string[], runtimeBuilt: { done: boolean }): Promise<void> {
  if (!runtimeBuilt.done) {
    await run('podman', [...podmanBuildArgs(NODE_CONTAINERFILE, {}, NODE_RUNTIME_TAG, ['--target', 'runtime']), '.'], env, { timeout_ms: BUILD_TIMEOUT_MS, cwd: config.rootDir, quiet: true });
    runtimeBuilt.done = true;
  }
  const dir = join(config.stateDir, 'images', 'programs', spec.name);
  mkdirSync(dir, { recursive: true });
  const program = readFileSync(join(config.rootDir, NODE_CONTAINERFILE), 'utf8').split('\nFROM runtime AS program\n')[1];
  if (program === undefined) throw new Error(`${NODE_CONTAINERFILE} has no "FROM runtime AS program" stage`);
  writeFileSync(join(dir, 'Containerfile'), `FROM ${NODE_RUNTIME_TAG}\n${program.replaceAll('${SERVICE}', spec.name).replaceAll('${VERSION}', spec.version)}`);
  await run('podman', [...podmanBuildArgs(join(dir, 'Containerfile'), {}, imageTag(spec), label), dir], env, { timeout_ms: BUILD_TIMEOUT_MS, quiet: true });
}

/** Builds one image, labelled with its inputs digest. */
export async function buildImage(config: PlatformConfig, env: NodeJS.ProcessEnv, spec: ImageSpec, inputs: string, runtimeBuilt: { done: boolean }): Promise<{ seconds: number; size_bytes: number }> {
  const started_ms = Date.now();
  const label = ['--label', `${INPUTS_LABEL}=${inputs}`];
  if (spec.containerfile === NODE_CONTAINERFILE) await buildNodeImage(config, env, spec, label, runtimeBuilt);
  else await run('podman', [...podmanBuildArgs(spec.containerfile, spec.buildArgs, imageTag(spec), label), '.'], env, { timeout_ms: BUILD_TIMEOUT_MS, cwd: config.rootDir, quiet: true });
  return { seconds: (Date.now() - started_ms) / 1000, size_bytes: await imageSize_bytes(env, imageTag(spec)) };
}

export interface BuildOptions {
  /** Build every named image, current or not (its layers still come from podman's cache). */
  readonly force: boolean;
}

/** Which of the named images to build: those missing or labelled with other inputs than this tree's (all with force). */
async function staleImages(config: PlatformConfig, env: NodeJS.ProcessEnv, selected: readonly ImageSpec[], options: BuildOptions): Promise<{ stale: ImageSpec[]; digests: Map<string, string> }> {
  const listed_ms = Date.now();
  const installed = await installedImages(env);
  const baseImageId = installed.get(BASE_IMAGE)?.id;
  if (baseImageId === undefined) throw new Error(`${BASE_IMAGE} missing after it was made`);
  const digested_ms = Date.now();
  const digests = await imageDigests(config, selected, baseImageId);
  const stale = selected.filter((spec) => options.force || installed.get(imageTag(spec))?.inputs !== digests.get(spec.name));
  const seconds = (since_ms: number, until_ms: number): string => ((until_ms - since_ms) / 1000).toFixed(2);
  process.stderr.write(`[images] podman's images listed in ${seconds(listed_ms, digested_ms)} s, inputs of ${selected.length} digested in ${seconds(digested_ms, Date.now())} s; ${options.force ? 'all built (--force)' : `stale: ${stale.map((spec) => spec.name).join(', ') || 'none'}`}\n`);
  return { stale, digests };
}

/**
 * Builds the named images (all when none is named) that are stale, missing or built from other
 * inputs than this tree's (all of them with force), and prints each one's size.
 */
export async function buildImages(config: PlatformConfig, names: readonly string[], options: BuildOptions = { force: false }): Promise<number> {
  const specs = imageSpecs(config);
  const unknown = names.filter((name) => !specs.some((spec) => spec.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`images build: no image ${unknown.join(', ')}; the images are ${specs.map((spec) => spec.name).join(', ')}\n`);
    return 2;
  }
  await ensureContainerTools();
  const env = podmanEnv(config);
  await ensureBaseImage(env, config.stateDir);
  const selected = specs.filter((candidate) => names.length === 0 || names.includes(candidate.name));
  const { stale, digests } = await staleImages(config, env, selected, options);
  const runtimeBuilt = { done: false };
  for (const spec of selected) {
    const inputs = digests.get(spec.name) ?? '';
    if (!stale.includes(spec)) {
      process.stdout.write(`${imageTag(spec).padEnd(44)} current (inputs ${inputs.slice(0, 12)})\n`);
      continue;
    }
    process.stderr.write(`[images] building ${imageTag(spec)} (${spec.containerfile})\n`);
    const built = await buildImage(config, env, spec, inputs, runtimeBuilt);
    process.stdout.write(`${imageTag(spec).padEnd(44)} ${(built.size_bytes / 1e6).toFixed(0).padStart(5)} MB  built in ${built.seconds.toFixed(1)} s (inputs ${inputs.slice(0, 12)})\n`);
  }
  // The label is the whole promise: an image under the tag without it (a build elsewhere re-tagged it meanwhile) fails here, not in a test.
  const after = stale.length === 0 ? new Map<string, InstalledImage>() : await installedImages(env);
  const unlabelled = stale.filter((spec) => after.get(imageTag(spec))?.inputs !== digests.get(spec.name));
  if (unlabelled.length > 0) throw new Error(`after podman build, ${unlabelled.map(imageTag).join(', ')} carry no ${INPUTS_LABEL} label of this tree's inputs`);
  return 0;
}
