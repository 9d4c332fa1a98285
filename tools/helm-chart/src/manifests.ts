import type { Manifest } from './render';

/** What the chart's assertions read of a pod template. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly securityContext?: {
    readonly runAsNonRoot?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly privileged?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
    readonly seccompProfile?: { readonly type?: string };
  };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

export interface PodSpec {
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly seccompProfile?: { readonly type?: string } };
  readonly automountServiceAccountToken?: boolean;
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly { readonly name: string; readonly emptyDir?: unknown; readonly secret?: { readonly secretName: string } }[];
}

export interface NetworkPolicyRule {
  readonly from?: readonly unknown[];
  readonly to?: readonly unknown[];
  readonly ports?: readonly { readonly port: number; readonly protocol?: string }[];
}

const WORKLOADS = new Set(['Deployment', 'Job', 'StatefulSet', 'DaemonSet', 'Pod']);

/** Every object that runs containers, with its pod spec. */
export function podSpecs(manifests: readonly Manifest[]): { manifest: Manifest; pod: PodSpec }[] {
  return manifests
    .filter((manifest) => WORKLOADS.has(manifest.kind))
    .map((manifest) => {
      const spec = manifest.spec as unknown as { template?: { spec: PodSpec } } & PodSpec;
      return { manifest, pod: manifest.kind === 'Pod' ? spec : (spec.template?.spec as PodSpec) };
    });
}

export function allContainers(pod: PodSpec): Container[] {
  return [...pod.containers, ...(pod.initContainers ?? [])];
}

export function ofKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function hookOf(manifest: Manifest): { events: string[]; weight: number } | undefined {
  const annotations = manifest.metadata.annotations ?? {};
  const hook = annotations['helm.sh/hook'];
  if (hook === undefined) return undefined;
  return { events: hook.split(',').map((event) => event.trim()), weight: Number(annotations['helm.sh/hook-weight'] ?? '0') };
}

/**
 * What a container's security context comes to, pod settings included: the ways a reviewer reads
 * "non-root, read-only root, no escalation, no capabilities, the runtime's seccomp profile".
 */
export function securityProblems(pod: PodSpec, container: Container): string[] {
  const context = container.securityContext ?? {};
  const problems: string[] = [];
  if ((context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) problems.push('may run as root');
  if (context.readOnlyRootFilesystem !== true) problems.push('writable root filesystem');
  if (context.allowPrivilegeEscalation !== false) problems.push('privilege escalation allowed');
  if (context.privileged === true) problems.push('privileged');
  if (!(context.capabilities?.drop ?? []).includes('ALL') || (context.capabilities?.add ?? []).length > 0) problems.push('capabilities not all dropped');
  if ((context.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type) !== 'RuntimeDefault') problems.push('no RuntimeDefault seccomp profile');
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  if (tmp === undefined || pod.volumes?.find((volume) => volume.name === tmp.name)?.emptyDir === undefined) problems.push('no emptyDir on /tmp');
  return problems;
}
