import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';

export type StartedContainer = StartedTestContainer;

/**
 * A testcontainers GenericContainer that publishes its ports on 127.0.0.1 only (testcontainers
 * itself binds every interface), takes secrets as files under /run/secrets, and is ready when
 * its image's health check passes inside it.
 */
export class LoopbackContainer extends GenericContainer {
  /** `hostPort` when the program must know it in advance (Kafka advertises it); otherwise podman picks one. */
  withLoopbackPort(containerPort: number, hostPort?: number): this {
    this.withExposedPorts(hostPort === undefined ? containerPort : { container: containerPort, host: hostPort });
    this.hostConfig.PortBindings = { ...this.hostConfig.PortBindings, [`${containerPort}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort ?? 0) }] };
    return this;
  }

  /** A secret as a mounted file would be: `/run/secrets/<name>`, readable by the image's non-root user. */
  withSecret(name: string, value: string): this {
    return this.withCopyContentToContainer([{ content: value, target: `/run/secrets/${name}`, mode: 0o444 }]);
  }

  /** Starts it and waits for its image's health check (a shell command line) to pass inside it: podman here runs no health-check timers. */
  async startReady(healthCommand: string): Promise<StartedContainer> {
    this.withWaitStrategy(Wait.forSuccessfulCommand(healthCommand));
    return this.start();
  }
}

/** Removes a container by id, volumes included; one already gone is not an error. */
export async function removeContainer(id: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  await client.container.dockerode.getContainer(id).remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
  });
}
