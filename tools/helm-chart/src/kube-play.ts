import type { Manifest } from './render';
import { hookOf, type PodSpec } from './manifests';

/**
 * The rendered chart as `podman kube play` can run it, in the order Helm would: podman (4.3)
 * plays Pods and Deployments only, knows no hooks, Jobs or Services, and turns an httpGet probe
 * into a curl health check inside the container (our images have no curl). So each workload
 * becomes a Pod named as its Service (podman's network DNS resolves pod names), grouped into the
 * stages Helm runs: pre-install hooks by weight, the release's own workloads, post-install hooks.
 * Probes are left out: the images' own HEALTHCHECK asks the same `/health/ready`, and the test
 * runs it. Container ports are published only where asked, on 127.0.0.1. NetworkPolicies, PDBs and HPAs have no podman equivalent and are not played.
 */

export interface PlayPod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
  readonly spec: PodSpec & { readonly restartPolicy: 'Never' | 'Always' };
}

export interface PlayStage {
  /** `pre-install -20`, `release`, `post-install 0`. */
  readonly name: string;
  /** Jobs must exit 0 (retried up to their backoffLimit); Helm waits for no hook Deployment, only (with --wait) the release's. */
  readonly jobs: readonly { readonly pod: PlayPod; readonly backoffLimit: number }[];
  readonly workloads: readonly PlayPod[];
}

/** A host port on 127.0.0.1 for one named container port of one workload. */
export interface HostPort {
  readonly workload: string;
  readonly portName: string;
  readonly hostPort: number;
}

type Container = PodSpec['containers'][number] & { ports?: { name?: string; containerPort: number; hostPort?: number; hostIP?: string }[] };

function asPod(manifest: Manifest, hostPorts: readonly HostPort[]): PlayPod {
  const template = (manifest.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;
  const containers = (template.spec.containers as Container[]).map((container) => {
    const { livenessProbe: _live, readinessProbe: _ready, startupProbe: _startup, ...rest } = container as Container & Record<string, unknown>;
    // podman 4.3 publishes a containerPort without hostPort on the host's every interface: only
    // the ports asked for are kept, on 127.0.0.1. (In a pod's spec they are informational only.)
    const ports = (container.ports ?? []).flatMap((port) => {
      const published = hostPorts.find((candidate) => candidate.workload === manifest.metadata.name && candidate.portName === port.name);
      return published === undefined ? [] : [{ ...port, hostIP: '127.0.0.1', hostPort: published.hostPort }];
    });
    const { ports: _declared, ...unpublished } = rest as Container;
    const volumeMounts = container.volumeMounts?.map((mount) => ({ ...mount, name: podVolume(manifest, mount.name) }));
    return { ...unpublished, ...(ports.length === 0 ? {} : { ports }), ...(volumeMounts === undefined ? {} : { volumeMounts }) } as Container;
  });
  const volumes = template.spec.volumes?.map((volume) => ({ ...volume, name: podVolume(manifest, volume.name) }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: manifest.metadata.name, labels: { ...template.metadata.labels, 'txn.platform/kube-play': 'true' } },
    spec: { ...template.spec, containers, ...(volumes === undefined ? {} : { volumes }), restartPolicy: manifest.kind === 'Job' ? 'Never' : 'Always' },
  };
}

/**
 * podman 4.3 makes an emptyDir a named volume called as the pod's volume, shared by every pod
 * that names one alike (every pod's `tmp`): each pod's volumes get the pod's name in front.
 */
export function podVolume(manifest: Pick<Manifest, 'metadata'>, volume: string): string {
  return `${manifest.metadata.name}-${volume}`;
}

/** The named volumes podman makes for a played pod's emptyDirs (kube down leaves them). */
export function emptyDirVolumes(pod: PlayPod): string[] {
  return (pod.spec.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name);
}

function stageOf(name: string, manifests: readonly Manifest[], hostPorts: readonly HostPort[]): PlayStage {
  return {
    name,
    jobs: manifests.filter((manifest) => manifest.kind === 'Job').map((manifest) => ({ pod: asPod(manifest, hostPorts), backoffLimit: Number((manifest.spec as { backoffLimit?: number }).backoffLimit ?? 6) })),
    workloads: manifests.filter((manifest) => manifest.kind === 'Deployment').map((manifest) => asPod(manifest, hostPorts)),
  };
}

/** Helm's order: pre-install hooks by ascending weight (one stage per weight), the release, post-install hooks. */
export function playStages(manifests: readonly Manifest[], hostPorts: readonly HostPort[]): PlayStage[] {
  const runnable = manifests.filter((manifest) => manifest.kind === 'Job' || manifest.kind === 'Deployment');
  const hooked = (event: string): Map<number, Manifest[]> => {
    const byWeight = new Map<number, Manifest[]>();
    for (const manifest of runnable) {
      const hook = hookOf(manifest);
      if (hook?.events.includes(event) === true) byWeight.set(hook.weight, [...(byWeight.get(hook.weight) ?? []), manifest]);
    }
    return new Map([...byWeight.entries()].sort(([a], [b]) => a - b));
  };
  return [
    ...[...hooked('pre-install').entries()].map(([weight, group]) => stageOf(`pre-install ${weight}`, group, hostPorts)),
    stageOf('release', runnable.filter((manifest) => hookOf(manifest) === undefined), hostPorts),
    ...[...hooked('post-install').entries()].map(([weight, group]) => stageOf(`post-install ${weight}`, group, hostPorts)),
  ];
}

/** podman names a played pod's container `<pod>-<container>`. */
export function containerName(pod: PlayPod): string {
  const [first] = pod.spec.containers;
  return `${pod.metadata.name}-${first?.name ?? ''}`;
}
