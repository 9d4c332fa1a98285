import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { findRootDir } from '@txn/infra-local';
import { containerName, emptyDirVolumes, playStages, type HostPort, type PlayPod, type PlayStage } from '../../src/kube-play';
import { allContainers, podSpecs } from '../../src/manifests';
import { healthy, imageHealthcheck, names, podmanFor, type Podman } from '../../src/podman';
import { renderChart } from '../../src/render';
import { ensureHelm } from '../../src/toolchain';

// The chart's evaluation install, rendered by helm and started on this machine with podman kube
// play in Helm's order (evaluation infrastructure, databases, topics, schemas, migrations, the
// services, the post-install webhook registration), until every service answers ready — the
// gateway also from the host, through a hostPort on 127.0.0.1 — then removed with podman kube
// down, leaving no pod, container, volume, secret or network behind. The images are those of the
// tree under test: ./platform images build rebuilds any whose inputs label differs from this
// tree's inputs digest (decision 0041); nothing is skipped.

const execFileAsync = promisify(execFile);
const ROOT = findRootDir(__dirname);
const RELEASE = 'kp';
const NETWORK = 'txn-helm-kube-play';
const SECRET = 'txn-evaluation';
const WORK_DIR = join(ROOT, '.platform', 'helm-tools', 'kube-play');
const IMAGES_BUILD_TIMEOUT_MS = 45 * 60_000;
/** JVMs and tsx compiling on a shared 2-core machine: measured 20-90 s; the bound is for a busy one. */
const READY_TIMEOUT_MS = 300_000;
const JOB_TIMEOUT_MS = 300_000;
const POLL_MS = 3_000;
const RETRY_DELAY_MS = 5_000;
const SECRET_KEYS = [
  'postgres-platform_admin',
  'postgres-svc_schema_registry',
  ...['api_gateway', 'webhook_ingress', 'booking', 'payment', 'ledger', 'notification', 'audit'].flatMap((db) => [`postgres-svc_${db}`, `postgres-svc_${db}_owner`]),
  'webhook-stripe-signing-secret',
  'psp-api-key',
  'webhook-signing-key',
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function fileOf(name: string): string {
  return join(WORK_DIR, `${name}.yaml`);
}

let podman: Podman;
const played: string[] = [];

async function play(name: string, document: object): Promise<void> {
  writeFileSync(fileOf(name), stringify(document));
  played.push(fileOf(name));
  await podman(['kube', 'play', '--network', NETWORK, fileOf(name)]);
}

async function down(file: string): Promise<void> {
  await podman(['kube', 'down', file]).catch(() => undefined);
}

async function waitReady(pod: PlayPod): Promise<void> {
  const container = containerName(pod);
  const check = await imageHealthcheck(podman, pod.spec.containers[0]?.image ?? '');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await healthy(podman, container, check))) {
    if (Date.now() > deadline) throw new Error(`${container} not ready after ${READY_TIMEOUT_MS / 1000} s:\n${(await podman(['logs', '--tail', '30', container]).catch((error: Error) => error.message)).slice(-3_000)}`);
    await sleep(POLL_MS);
  }
}

/** A Job: its pod must exit 0; a failure is retried up to the Job's backoffLimit, as Kubernetes would. */
async function runJob(job: PlayStage['jobs'][number]): Promise<void> {
  const container = containerName(job.pod);
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) await play(job.pod.metadata.name, job.pod);
    const exit = (await podman(['wait', container], JOB_TIMEOUT_MS)).trim();
    if (exit === '0') return;
    const logs = await podman(['logs', '--tail', '30', container]).catch((error: Error) => error.message);
    if (attempt >= job.backoffLimit) throw new Error(`${container} exited ${exit} ${attempt + 1} times; last output:\n${logs.slice(-3_000)}`);
    await down(fileOf(job.pod.metadata.name));
    await sleep(RETRY_DELAY_MS * (attempt + 1));
  }
}

/**
 * As Helm: a hook Deployment is created and not waited for (the Jobs after it retry until it
 * serves); the release's workloads are waited for, as `helm install --wait` does.
 */
async function runStage(stage: PlayStage): Promise<void> {
  for (const pod of [...stage.workloads, ...stage.jobs.map((job) => job.pod)]) await play(pod.metadata.name, pod);
  if (stage.name === 'release') await Promise.all(stage.workloads.map((pod) => waitReady(pod)));
  await Promise.all(stage.jobs.map((job) => runJob(job)));
}

/** The evaluation Secret. podman 4.3 writes a Secret's `data` into the files undecoded, so each value is chosen to be valid base64 of itself. */
function evaluationSecret(): object {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET }, type: 'Opaque', data: Object.fromEntries(SECRET_KEYS.map((key) => [key, randomBytes(18).toString('hex')])) };
}

/**
 * Everything this test may have left: the played pods (kube down), then what podman 4.3's kube
 * down leaves: the emptyDirs' named volumes, the Secret and the volume it made of it; the network.
 */
async function teardown(volumes: readonly string[]): Promise<void> {
  for (const file of [...played].reverse()) await down(file);
  if (existsSync(WORK_DIR)) for (const file of readdirSync(WORK_DIR)) await down(join(WORK_DIR, file));
  played.length = 0;
  const existing = await names(podman, 'volume');
  for (const volume of [...volumes, SECRET].filter((name) => existing.includes(name))) await podman(['volume', 'rm', '--force', volume]);
  if ((await names(podman, 'secret')).includes(SECRET)) await podman(['secret', 'rm', SECRET]);
  if ((await names(podman, 'network')).includes(NETWORK)) await podman(['network', 'rm', '--force', NETWORK]);
}

/** The chart's images built from this tree: `./platform images build <name…>` builds those missing or stale (seconds when none is). */
async function ensureImages(images: readonly string[]): Promise<void> {
  const names = images.map((image) => /^localhost\/txn-([^:/]+):/.exec(image)?.[1] ?? image);
  process.stderr.write(`[kube-play] ./platform images build ${names.join(' ')}\n`);
  await execFileAsync(join(ROOT, 'platform'), ['images', 'build', ...names], { cwd: ROOT, timeout: IMAGES_BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const missing: string[] = [];
  for (const image of images) if (!(await podman(['image', 'exists', image]).then(() => true, () => false))) missing.push(image);
  if (missing.length > 0) throw new Error(`./platform images build did not make ${missing.join(', ')} (a chart tag other than the one it builds?)`);
}

describe('the evaluation install on podman kube play (helm template, values-evaluation.yaml)', () => {
  let stages: PlayStage[];
  let gateway: { http: number; api: number };
  const usedVolumes: string[] = [];

  beforeAll(async () => {
    podman = podmanFor(ROOT);
    const helm = await ensureHelm(ROOT);
    const { manifests } = await renderChart(helm, ROOT, ['values-evaluation.yaml'], [], RELEASE);
    await ensureImages([...new Set(podSpecs(manifests).flatMap(({ pod }) => allContainers(pod).map((container) => container.image)))]);
    mkdirSync(WORK_DIR, { recursive: true });
    gateway = { http: await freePort(), api: await freePort() };
    const hostPorts: HostPort[] = [
      { workload: `${RELEASE}-api-gateway`, portName: 'http', hostPort: gateway.http },
      { workload: `${RELEASE}-api-gateway`, portName: 'api', hostPort: gateway.api },
    ];
    stages = playStages(manifests, hostPorts);
    usedVolumes.push(...stages.flatMap((stage) => [...stage.workloads, ...stage.jobs.map((job) => job.pod)]).flatMap((pod) => emptyDirVolumes(pod)));
    // A run that died half-way left its pods and volumes: take them down first.
    await teardown(usedVolumes);
  }, IMAGES_BUILD_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await teardown(usedVolumes);
  }, 300_000);

  it('runs every stage in Helm’s order until each service answers ready, then kube down leaves nothing behind', async () => {
    expect((await podman(['version', '--format', '{{.Client.Version}}'])).trim()).toMatch(/^4\.3\./);
    expect(stages.map((stage) => stage.name)).toEqual(['pre-install -20', 'pre-install -10', 'pre-install 0', 'pre-install 5', 'pre-install 10', 'release', 'post-install 0']);
    const before = { volumes: await names(podman, 'volume') };
    await podman(['network', 'create', NETWORK]);
    await play('secret', evaluationSecret());
    try {
      for (const stage of stages) await runStage(stage);
      // Every workload, the hook infrastructure too, serves at the end.
      for (const stage of stages.filter((candidate) => candidate.name !== 'release')) await Promise.all(stage.workloads.map((pod) => waitReady(pod)));
      const ready = await fetch(`http://127.0.0.1:${gateway.http}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      expect(ready.status).toBe(200);
      // The public API answers from the host too (a problem+json 404 for a path it does not serve).
      expect((await fetch(`http://127.0.0.1:${gateway.api}/no-such-route`, { signal: AbortSignal.timeout(5_000) })).status).toBe(404);
    } finally {
      await teardown(usedVolumes);
    }
    const after = { pods: await names(podman, 'pod'), containers: await names(podman, 'container'), volumes: await names(podman, 'volume') };
    expect(after.pods.filter((name) => name.startsWith(`${RELEASE}-`))).toEqual([]);
    expect(after.containers.filter((name) => name.startsWith(`${RELEASE}-`))).toEqual([]);
    expect(after.volumes.filter((name) => usedVolumes.includes(name) || name === SECRET || (!before.volumes.includes(name) && name.startsWith(`${RELEASE}-`)))).toEqual([]);
    expect(await names(podman, 'secret')).not.toContain(SECRET);
    expect(await names(podman, 'network')).not.toContain(NETWORK);
  }, 40 * 60_000);
});
