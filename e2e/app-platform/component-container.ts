import { setTimeout as sleep } from "node:timers/promises";
import { type DockerEngine, runDocker } from "../docker-engine.ts";
import type { CleanupSteps } from "./cleanup-steps.ts";

export interface ComponentContainerOptions {
  // The container's name, unique per run.
  name: string;
  // <registry>/<repository>@<digest>, as App Platform pulls it.
  image: string;
  // Replaces the image's CMD, as a component's runCommand does; the image's own when undefined.
  command?: string[];
  // Docker's "KEY=VALUE" list.
  env: string[];
  network: string;
  // Host folders mounted read-only, by path inside the container.
  mounts?: Record<string, string>;
}

export interface JobResult {
  exitCode: number;
  logs: string;
}

export interface RunningService {
  id: string;
  // The container's address on the run's network, the client address the database server records.
  ipAddress: string;
  // The loopback URL of a port the container listens on, such as http://127.0.0.1:49153.
  urlOf(containerPort: number): string;
}

const jobTimeoutMs = 120_000;
const serviceStartTimeoutMs = 30_000;

// Runs a job's container to completion and returns its exit code and output.
export async function runJob(engine: DockerEngine, cleanup: CleanupSteps, options: ComponentContainerOptions): Promise<JobResult> {
  const id = await createContainer(engine, cleanup, options, []);
  await engine.call("POST", `/containers/${id}/start`);

  const timer = new AbortController();
  const timeout = sleep(jobTimeoutMs, "timed out" as const, { signal: timer.signal }).catch(() => "cancelled" as const);
  const outcome = await Promise.race([engine.call<{ StatusCode: number }>("POST", `/containers/${id}/wait`), timeout]).finally(() =>
    timer.abort(),
  );
  if (typeof outcome === "string") {
    await engine.call("POST", `/containers/${id}/kill`).catch(() => undefined);
    throw new Error(`Job ${options.name} timed out after ${jobTimeoutMs / 1000} s and was killed. Its last output:\n${await containerLogs(id)}`);
  }
  return { exitCode: outcome.StatusCode, logs: await containerLogs(id) };
}

// Starts a service's container with `ports` published on loopback, and waits until the first
// of them responds to HTTP with any status.
export async function startService(
  engine: DockerEngine,
  cleanup: CleanupSteps,
  options: ComponentContainerOptions,
  ports: number[],
): Promise<RunningService> {
  const id = await createContainer(engine, cleanup, options, ports);
  await engine.call("POST", `/containers/${id}/start`);

  const { NetworkSettings } = await engine.call<{
    NetworkSettings: { Ports: Record<string, { HostPort: string }[] | null>; Networks: Record<string, { IPAddress: string }> };
  }>("GET", `/containers/${id}/json`);
  const urlOf = (containerPort: number) => {
    const hostPort = NetworkSettings.Ports[`${containerPort}/tcp`]?.[0]?.HostPort;
    if (hostPort === undefined) {
      throw new Error(`Service ${options.name} does not publish port ${containerPort}, only ${ports.join(", ")}`);
    }
    return `http://127.0.0.1:${hostPort}`;
  };
  const service = { id, ipAddress: NetworkSettings.Networks[options.network]?.IPAddress ?? "", urlOf };

  await waitForHttp(engine, options.name, id, urlOf(ports[0] as number));
  return service;
}

async function createContainer(engine: DockerEngine, cleanup: CleanupSteps, options: ComponentContainerOptions, ports: number[]): Promise<string> {
  cleanup.add(`container ${options.name}`, () => engine.remove(`/containers/${encodeURIComponent(options.name)}?force=1&v=1`));
  const { Id: id } = await engine.call<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(options.name)}`, {
    Image: options.image,
    Cmd: options.command,
    Env: options.env,
    ExposedPorts: Object.fromEntries(ports.map((port) => [`${port}/tcp`, {}])),
    HostConfig: {
      NetworkMode: options.network,
      // An empty HostPort lets the engine choose a free one.
      PortBindings: Object.fromEntries(ports.map((port) => [`${port}/tcp`, [{ HostIp: "127.0.0.1", HostPort: "" }]])),
      Mounts: Object.entries(options.mounts ?? {}).map(([target, source]) => ({ Type: "bind", Source: source, Target: target, ReadOnly: true })),
    },
  });
  return id;
}

async function waitForHttp(engine: DockerEngine, name: string, id: string, url: string): Promise<void> {
  const deadline = Date.now() + serviceStartTimeoutMs;
  for (;;) {
    const { State } = await engine.call<{ State: { Running: boolean; ExitCode: number } }>("GET", `/containers/${id}/json`);
    if (!State.Running) {
      throw new Error(`Service ${name} exited with code ${State.ExitCode} before responding to HTTP. Its last output:\n${await containerLogs(id)}`);
    }
    const responded = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (response) => {
        await response.body?.cancel();
        return true;
      },
      () => false,
    );
    if (responded) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Service ${name} timed out after ${serviceStartTimeoutMs / 1000} s without responding to HTTP on ${url}. Its last output:\n${await containerLogs(id)}`);
    }
    await sleep(250);
  }
}

export async function containerLogs(id: string): Promise<string> {
  return runDocker(["logs", "--tail", "40", id], { includeStderr: true }).catch((error: unknown) => `(no logs: ${(error as Error).message})`);
}
