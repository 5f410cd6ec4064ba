import type { ContainerInputs } from "./resource-inputs.ts";

export interface ContainerRequest {
  // POST /containers/create body (Engine API 1.41).
  body: Record<string, unknown>;
  // Networks after the first, joined before the container starts.
  extraNetworks: { name: string; aliases: string[] }[];
}

// Translates docker.Container inputs into an Engine API create request, with the docker
// provider's defaults: ports on 0.0.0.0 over TCP, restart "no".
export function toContainerRequest(inputs: ContainerInputs): ContainerRequest {
  const [firstNetwork, ...extraNetworks] = inputs.networksAdvanced ?? [];
  const ports = inputs.ports ?? [];
  const portKey = (port: (typeof ports)[number]) => `${port.internal}/${port.protocol ?? "tcp"}`;

  const body: Record<string, unknown> = {
    Image: inputs.image,
    Cmd: inputs.command,
    Entrypoint: inputs.entrypoints,
    Env: inputs.envs ?? [],
    Labels: Object.fromEntries((inputs.labels ?? []).map(({ label, value }) => [label, value])),
    User: inputs.user,
    WorkingDir: inputs.workingDir,
    StopSignal: inputs.stopSignal,
    StopTimeout: inputs.stopTimeout,
    ExposedPorts: Object.fromEntries(ports.map((port) => [portKey(port), {}])),
    Healthcheck:
      inputs.healthcheck === undefined
        ? undefined
        : {
            Test: inputs.healthcheck.tests,
            Interval: inputs.healthcheck.interval,
            Timeout: inputs.healthcheck.timeout,
            StartPeriod: inputs.healthcheck.startPeriod,
            Retries: inputs.healthcheck.retries,
          },
    HostConfig: {
      NetworkMode: firstNetwork?.name,
      PortBindings: Object.fromEntries(
        ports.map((port) => [portKey(port), [{ HostIp: port.ip ?? "0.0.0.0", HostPort: port.external === undefined ? "" : String(port.external) }]]),
      ),
      Mounts: (inputs.volumes ?? []).map((volume) => ({
        Type: volume.hostPath === undefined ? "volume" : "bind",
        Source: volume.volumeName ?? volume.hostPath,
        Target: volume.containerPath,
        ReadOnly: volume.readOnly ?? false,
      })),
      RestartPolicy: { Name: inputs.restart ?? "no", MaximumRetryCount: inputs.maxRetryCount ?? 0 },
      Init: inputs.init,
      ReadonlyRootfs: inputs.readOnly,
    },
    NetworkingConfig:
      firstNetwork === undefined ? undefined : { EndpointsConfig: { [firstNetwork.name]: { Aliases: firstNetwork.aliases ?? [] } } },
  };

  return {
    body,
    extraNetworks: extraNetworks.map(({ name, aliases }) => ({ name, aliases: aliases ?? [] })),
  };
}
