import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findRootDir, loadPlatformConfig, PLATFORM_SERVICES } from '@txn/infra-local';
import { allContainers, hookOf, ofKind, podSpecs, securityProblems, type NetworkPolicyRule } from '../src/manifests';
import { chartDir, lintChart, renderChart, validateManifests, type Manifest } from '../src/render';
import { ensureChartToolchain, KUBERNETES_VERSIONS, type ChartToolchain } from '../src/toolchain';

// The Helm chart as a reviewer reads it: helm lint; helm template with the default and the
// evaluation values; every rendered object valid for Kubernetes' own schemas (offline, strict);
// and the properties that matter in a review, asserted on the rendered objects.

const ROOT = findRootDir(__dirname);
const WORK_DIR = join(ROOT, '.platform', 'helm-tools', 'rendered');
/** A cold install builds helm from source (about 2 minutes on 2 cores) and a venv. */
const INSTALL_TIMEOUT_MS = 900_000;
const EDGE_SERVICES = ['api-gateway', 'webhook-ingress'];
const SECRET_MOUNT_ROOT = '/var/run/secrets/txn/';
/** A setting whose value would be a secret if it were given inline. */
const SECRET_SETTING = /(PASSWORD|SECRET|TOKEN|_KEY|KEYRING)(_FILE)?$/;

interface Rendered {
  readonly text: string;
  readonly manifests: Manifest[];
}

const VARIANTS = {
  default: { files: [] as string[], sets: [] as string[] },
  evaluation: { files: ['values-evaluation.yaml'], sets: [] as string[] },
};

let tools: ChartToolchain;
const rendered: Record<keyof typeof VARIANTS, Rendered> = {} as Record<keyof typeof VARIANTS, Rendered>;

beforeAll(async () => {
  tools = await ensureChartToolchain(ROOT);
  for (const [name, variant] of Object.entries(VARIANTS) as [keyof typeof VARIANTS, (typeof VARIANTS)['default']][]) {
    rendered[name] = await renderChart(tools.helm, ROOT, variant.files, variant.sets);
  }
}, INSTALL_TIMEOUT_MS);

function serviceValues(): Record<string, { enabled: boolean }> {
  return (parse(readFileSync(join(chartDir(ROOT), 'values.yaml'), 'utf8')) as { services: Record<string, { enabled: boolean }> }).services;
}

describe('the Helm chart (helm/txn-platform)', () => {
  it('passes helm lint --strict with the default and the evaluation values', async () => {
    for (const variant of Object.values(VARIANTS)) {
      expect(await lintChart(tools.helm, ROOT, variant.files)).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders only objects valid for Kubernetes’ schemas (strict, offline), from the chart’s floor to the newest', async () => {
    mkdirSync(WORK_DIR, { recursive: true });
    for (const [name, { text, manifests }] of Object.entries(rendered)) {
      const file = join(WORK_DIR, `${name}.yaml`);
      writeFileSync(file, text);
      for (const version of KUBERNETES_VERSIONS) {
        const output = await validateManifests(tools.kubernetesValidate, version, file);
        // Every object found its schema and passed: a kind without a schema is only a warning to the tool.
        expect(output).not.toMatch(/^(WARN|ERROR)/m);
        expect(output.match(/ passed for resource /g)).toHaveLength(manifests.length);
      }
    }
  }, 300_000);

  it('has a Deployment, Service, migration Job and NetworkPolicy for every service the platform runs', () => {
    expect(Object.keys(serviceValues()).sort()).toEqual(PLATFORM_SERVICES.map((spec) => spec.name).sort());
    for (const { manifests } of Object.values(rendered)) {
      for (const kind of ['Deployment', 'Service', 'NetworkPolicy']) {
        expect(ofKind(manifests, kind).map((manifest) => manifest.metadata.name)).toEqual(expect.arrayContaining(PLATFORM_SERVICES.map((spec) => `txn-${spec.name}`)));
      }
      expect(ofKind(manifests, 'Job').map((job) => job.metadata.name)).toEqual(expect.arrayContaining(PLATFORM_SERVICES.map((spec) => `txn-${spec.name}-migrate`)));
    }
  });

  it('runs every container non-root, read-only, without privilege escalation or capabilities, under RuntimeDefault seccomp, with /tmp on an emptyDir', () => {
    for (const { manifests } of Object.values(rendered)) {
      const problems = podSpecs(manifests).flatMap(({ manifest, pod }) => [
        ...(pod.automountServiceAccountToken === false ? [] : [`${manifest.kind}/${manifest.metadata.name}: mounts a service account token`]),
        ...allContainers(pod).flatMap((container) => securityProblems(pod, container).map((problem) => `${manifest.kind}/${manifest.metadata.name} ${container.name}: ${problem}`)),
      ]);
      expect(problems).toEqual([]);
    }
  });

  it('holds no secret: every secret setting is a *_FILE path into an existing Secret mounted read-only', () => {
    for (const { text, manifests } of Object.values(rendered)) {
      expect(ofKind(manifests, 'Secret')).toEqual([]);
      expect(text).not.toMatch(/secretKeyRef/);
      for (const { manifest, pod } of podSpecs(manifests)) {
        const secretVolumes = new Map((pod.volumes ?? []).filter((volume) => volume.secret !== undefined).map((volume) => [volume.name, volume.secret?.secretName ?? '']));
        for (const container of allContainers(pod)) {
          for (const setting of (container.env ?? []).filter((env) => SECRET_SETTING.test(env.name))) {
            const where = `${manifest.metadata.name} ${setting.name}`;
            expect({ where, isFile: setting.name.endsWith('_FILE') }).toEqual({ where, isFile: true });
            expect(setting.value?.startsWith(SECRET_MOUNT_ROOT)).toBe(true);
            const secretName = setting.value?.slice(SECRET_MOUNT_ROOT.length).split('/')[0] ?? '';
            const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === `${SECRET_MOUNT_ROOT}${secretName}`);
            expect({ where, secret: secretVolumes.get(mount?.name ?? '') }).toEqual({ where, secret: secretName });
          }
        }
      }
    }
  });

  it('keeps the schema owner’s login out of every serving pod: only the migration Jobs have it', () => {
    for (const { manifests } of Object.values(rendered)) {
      for (const { manifest, pod } of podSpecs(manifests)) {
        const migrationSettings = allContainers(pod).flatMap((container) => (container.env ?? []).map((env) => env.name)).filter((name) => name.startsWith('DATABASE_MIGRATION_'));
        const isMigration = manifest.kind === 'Job' && manifest.metadata.name.endsWith('-migrate');
        expect({ name: manifest.metadata.name, migrationSettings: migrationSettings.length > 0 }).toEqual({ name: manifest.metadata.name, migrationSettings: isMigration });
      }
    }
  });

  it('lets only api-gateway and webhook-ingress take ingress beyond metrics scrapes, and never opens egress to everywhere by accident', () => {
    const metricsPort = Number((parse(readFileSync(join(chartDir(ROOT), 'values.yaml'), 'utf8')) as { ports: { http: number } }).ports.http);
    for (const { manifests } of Object.values(rendered)) {
      const policies = ofKind(manifests, 'NetworkPolicy');
      const takingIngress = policies.filter((policy) => ((policy.spec?.ingress ?? []) as NetworkPolicyRule[]).some((rule) => (rule.ports ?? []).some((port) => port.port !== metricsPort) || rule.ports === undefined));
      expect(takingIngress.map((policy) => policy.metadata.name).sort()).toEqual(EDGE_SERVICES.map((name) => `txn-${name}`));
      for (const policy of policies) {
        expect(policy.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
        for (const rule of [...((policy.spec?.ingress ?? []) as NetworkPolicyRule[]), ...((policy.spec?.egress ?? []) as NetworkPolicyRule[])]) {
          expect((rule.from ?? rule.to ?? []).length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('orders the deploy steps as hooks before any service: infrastructure (evaluation), topics, schemas, then migrations', () => {
    for (const { manifests } of Object.values(rendered)) {
      const weightOf = (name: string): number => {
        const hook = hookOf(manifests.find((manifest) => manifest.kind === 'Job' && manifest.metadata.name === name) ?? ({ metadata: { name } } as Manifest));
        expect({ name, events: hook?.events }).toEqual({ name, events: ['pre-install', 'pre-upgrade'] });
        return hook?.weight ?? Number.NaN;
      };
      const migrations = PLATFORM_SERVICES.map((spec) => weightOf(`txn-${spec.name}-migrate`));
      expect(weightOf('txn-topics')).toBeLessThan(weightOf('txn-schemas'));
      expect(Math.min(...migrations)).toBeGreaterThan(weightOf('txn-schemas'));
      const infrastructure = manifests.filter((manifest) => manifest.metadata.labels?.['txn.platform/role'] === 'evaluation-infrastructure');
      for (const manifest of infrastructure) expect(hookOf(manifest)?.weight).toBeLessThan(weightOf('txn-topics'));
      for (const deployment of ofKind(manifests, 'Deployment').filter((manifest) => manifest.metadata.labels?.['txn.platform/role'] === 'service')) expect(hookOf(deployment)).toBeUndefined();
    }
    expect(rendered.evaluation.manifests.filter((manifest) => manifest.metadata.labels?.['txn.platform/role'] === 'evaluation-infrastructure').length).toBeGreaterThan(0);
  });

  it('probes, scrapes, budgets and scales every service: readiness and liveness, scrape annotations, a PDB, a CPU HPA by default', () => {
    const { manifests } = rendered.default;
    for (const deployment of ofKind(manifests, 'Deployment')) {
      const template = deployment.spec?.template as { metadata: { annotations: Record<string, string> }; spec: { containers: { readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; resources: { requests: unknown; limits: unknown } }[] } };
      const [container] = template.spec.containers;
      expect(container?.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container?.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container?.resources.requests).toBeDefined();
      expect(container?.resources.limits).toBeDefined();
      expect(template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
    }
    const names = PLATFORM_SERVICES.map((spec) => `txn-${spec.name}`).sort();
    expect(ofKind(manifests, 'PodDisruptionBudget').map((pdb) => pdb.metadata.name).sort()).toEqual(names);
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name).sort()).toEqual(names);
    expect(ofKind(manifests, 'ServiceMonitor')).toEqual([]);
  });

  it('renders a ServiceMonitor per service and a consumer-lag HPA metric only when asked to', async () => {
    const { manifests } = await renderChart(tools.helm, ROOT, [], ['metrics.serviceMonitor.enabled=true', 'serviceDefaults.autoscaling.lag.enabled=true']);
    expect(ofKind(manifests, 'ServiceMonitor')).toHaveLength(PLATFORM_SERVICES.length);
    const booking = ofKind(manifests, 'HorizontalPodAutoscaler').find((hpa) => hpa.metadata.name === 'txn-booking');
    expect(booking?.spec?.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'External', external: expect.objectContaining({ metric: { name: 'kafka_consumergroup_lag', selector: { matchLabels: { group: 'booking' } } } }) })]));
  });

  it('makes the catalogue’s topics as Strimzi KafkaTopics when asked to, from the same catalogue as deploy/kafka-topics.json', async () => {
    const chartCopy = readFileSync(join(chartDir(ROOT), 'files', 'kafka-topics.json'), 'utf8');
    expect(chartCopy).toBe(readFileSync(join(ROOT, 'deploy', 'kafka-topics.json'), 'utf8'));
    const catalogue = (JSON.parse(chartCopy) as { topics: { name: string; partitions: number; config: Record<string, string> }[] }).topics;
    const { manifests } = await renderChart(tools.helm, ROOT, [], ['deploySteps.topics.kind=strimzi', 'kafka.topicPrefix=staging.']);
    expect(ofKind(manifests, 'Job').map((job) => job.metadata.name)).not.toContain('txn-topics');
    const topics = ofKind(manifests, 'KafkaTopic').map((topic) => topic.spec);
    expect(topics).toEqual(catalogue.map((topic) => ({ topicName: `staging.${topic.name}`, partitions: topic.partitions, replicas: 3, config: topic.config })));
  });

  it('names the images ./platform images build tags: localhost/txn-<name>:<its version>', () => {
    const config = loadPlatformConfig({}, ROOT);
    const version = (dir: string): string => (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { version: string }).version;
    const images = new Set(podSpecs([...rendered.default.manifests, ...rendered.evaluation.manifests]).flatMap(({ pod }) => allContainers(pod).map((container) => container.image)));
    const expected = [
      ...PLATFORM_SERVICES.map((spec) => `localhost/txn-${spec.name}:${version(`services/${spec.name}`)}`),
      `localhost/txn-platform-init:${version('.')}`,
      `localhost/txn-psp-proxy:${version('tools/psp-proxy')}`,
      `localhost/txn-postgres:${config.postgres.version}`,
      `localhost/txn-kafka:${config.kafka.version}`,
      `localhost/txn-schema-registry:${config.schemaRegistry.version}`,
      `localhost/txn-psp-sandbox:${config.pspSandbox.version}`,
    ];
    expect([...images].sort()).toEqual(expected.sort());
  });
});
