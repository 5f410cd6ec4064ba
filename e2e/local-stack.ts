import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CapturedResource } from "../infra/testing/capture.ts";
import { toContainerRequest } from "./container-body.ts";
import { mapRunValues, resolveInputs, type ValueMap } from "./declared-values.ts";
import { type DockerEngine, runDocker } from "./docker-engine.ts";
import { buildImage, type BuiltImage } from "./image-build.ts";
import {
  ContainerInputs,
  ImageInputs,
  NetworkInputs,
  parseInputs,
  RandomPasswordInputs,
  RemoteImageInputs,
  VolumeInputs,
} from "./resource-inputs.ts";

export interface RunContainer {
  resourceName: string;
  // The declared name with the run's suffix.
  runName: string;
  id: string;
  // The declared inputs with every dependency's value replaced by this run's.
  inputs: ContainerInputs;
}

// The provider packages whose resources this check carries out. A type from any other package
// is a component when it has no inputs, so there is nothing to carry out, and rejected otherwise.
const providerPackages = new Set(["docker", "docker-build", "random", "digitalocean", "pulumi"]);

// Marks a component in deploy's log; components have no values of their own.
const componentValues: Record<string, unknown> = {};

// The docker provider waits 60 s for health when a container sets `wait` without `waitTimeout`.
const defaultWaitTimeoutS = 60;
// NOTE: the docker provider waits for an attached container without a limit. This check gives
// up after this many seconds, so a hung migration fails the run instead of stalling it.
const attachTimeoutS = 300;

// Carries out the resources a Pulumi program declares for the local Docker engine, as the
// providers would, and removes them again. Every name gets the run id appended so runs never
// collide with each other or with a deployed stack; everything else is used as declared.
export class LocalStackRun {
  readonly runId: string;
  readonly containers: RunContainer[] = [];
  readonly images: BuiltImage[] = [];
  private readonly engine: DockerEngine;
  private readonly projectRoot: string;
  private readonly valuesByResource = new Map<string, ValueMap>();
  // Removal steps in creation order; destroy runs them in reverse.
  private readonly removals: { what: string; remove: () => Promise<void> }[] = [];

  constructor(engine: DockerEngine, runId: string, projectRoot: string) {
    this.engine = engine;
    this.runId = runId;
    this.projectRoot = projectRoot;
  }

  async deploy(resources: CapturedResource[]): Promise<void> {
    for (const resource of inDependencyOrder(resources)) {
      const started = performance.now();
      const inputs = resolveInputs(resource, this.valuesByResource);
      const runValues = await this.carryOut(resource, inputs);
      this.valuesByResource.set(resource.name, mapRunValues(resource, runValues));
      if (runValues !== componentValues) {
        console.info(`[e2e] ${resource.type} ${resource.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  }

  // Removes everything this run created, newest first, and reports every failure at the end.
  async destroy(): Promise<void> {
    const failures: string[] = [];
    for (const { what, remove } of this.removals.reverse()) {
      try {
        await remove();
      } catch (error) {
        failures.push(`${what}: ${(error as Error).message}`);
      }
    }
    this.removals.length = 0;
    if (failures.length > 0) {
      throw new Error(`Failed to remove what the run created:\n  - ${failures.join("\n  - ")}`);
    }
  }

  private async carryOut(resource: CapturedResource, inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { type, name } = resource;
    switch (type) {
      case "docker:index/network:Network":
        return this.createNetwork(parseInputs(NetworkInputs, type, name, inputs));
      case "docker:index/volume:Volume":
        return this.createVolume(parseInputs(VolumeInputs, type, name, inputs));
      case "docker:index/remoteImage:RemoteImage":
        return this.findImage(parseInputs(RemoteImageInputs, type, name, inputs));
      case "random:index/randomPassword:RandomPassword":
        return { result: generatePassword(parseInputs(RandomPasswordInputs, type, name, inputs)) };
      case "docker-build:index:Image":
        return this.buildImage(parseInputs(ImageInputs, type, name, inputs));
      case "docker:index/container:Container":
        return this.runContainer(name, parseInputs(ContainerInputs, type, name, inputs));
      default:
        if (!providerPackages.has(type.split(":")[0] ?? "") && Object.keys(inputs).length === 0) {
          return componentValues;
        }
        throw new Error(`${type} ${name}: the end-to-end check does not carry out this resource type; add it to e2e/local-stack.ts`);
    }
  }

  private async createNetwork(inputs: NetworkInputs): Promise<Record<string, unknown>> {
    const name = `${inputs.name}-${this.runId}`;
    this.removals.push({ what: `network ${name}`, remove: () => this.engine.remove(`/networks/${name}`) });
    const { Id } = await this.engine.call<{ Id: string }>("POST", "/networks/create", {
      Name: name,
      Driver: inputs.driver ?? "bridge",
      Internal: inputs.internal ?? false,
      Labels: toLabelMap(inputs.labels),
      CheckDuplicate: true,
    });
    return { name, id: Id };
  }

  private async createVolume(inputs: VolumeInputs): Promise<Record<string, unknown>> {
    const name = `${inputs.name}-${this.runId}`;
    this.removals.push({ what: `volume ${name}`, remove: () => this.engine.remove(`/volumes/${name}`) });
    await this.engine.call("POST", "/volumes/create", { Name: name, Driver: inputs.driver ?? "local", Labels: toLabelMap(inputs.labels) });
    return { name, id: name };
  }

  // The check never pulls, because the machines it runs on reach no registry: the image must
  // be in the engine already, pulled or built by scripts/docker/stand-ins.sh.
  private async findImage(inputs: RemoteImageInputs): Promise<Record<string, unknown>> {
    const path = `/images/${encodeURIComponent(inputs.name)}/json`;
    const image = await this.engine.call<{ Id: string; RepoDigests: string[] | null }>("GET", path).catch((error: unknown) => {
      throw new Error(
        `Failed to find the image ${inputs.name} in the local engine (${(error as Error).message}); the check does not pull: run scripts/docker/stand-ins.sh or docker pull ${inputs.name}`,
      );
    });
    return { name: inputs.name, imageId: image.Id, repoDigest: image.RepoDigests?.[0] ?? inputs.name, id: image.Id };
  }

  private async buildImage(inputs: ImageInputs): Promise<Record<string, unknown>> {
    const built = await buildImage(inputs, this.runId, this.projectRoot);
    this.images.push(built);
    for (const tag of built.tags) {
      this.removals.push({ what: `image tag ${tag}`, remove: () => this.engine.remove(`/images/${encodeURIComponent(tag)}`) });
    }
    return { tags: built.tags, digest: built.id, ref: built.tags[0], id: built.id };
  }

  private async runContainer(resourceName: string, inputs: ContainerInputs): Promise<Record<string, unknown>> {
    const runName = `${inputs.name}-${this.runId}`;
    const { body, extraNetworks } = toContainerRequest(inputs);
    this.removals.push({
      what: `container ${runName}`,
      // v=1 also removes the container's anonymous volumes, such as an image's VOLUME.
      remove: () => this.engine.remove(`/containers/${runName}?force=1&v=1`),
    });

    const { Id: id } = await this.engine.call<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(runName)}`, body);
    this.containers.push({ resourceName, runName, id, inputs });
    for (const network of extraNetworks) {
      await this.engine.call("POST", `/networks/${encodeURIComponent(network.name)}/connect`, {
        Container: id,
        EndpointConfig: { Aliases: network.aliases },
      });
    }

    if (inputs.start !== false) {
      await this.engine.call("POST", `/containers/${id}/start`).catch(async (error: unknown) => {
        throw new Error(`Failed to start ${runName}: ${(error as Error).message}${await describePortHolders(inputs)}`);
      });
    }
    if (inputs.attach === true) {
      await this.waitForExit(runName, id);
    }
    if (inputs.wait === true) {
      await this.waitForHealth(runName, id, inputs.waitTimeout ?? defaultWaitTimeoutS);
    }
    return { name: runName, id };
  }

  // An attached container must exit 0: the local stack stops its update on any other exit code.
  private async waitForExit(runName: string, id: string): Promise<void> {
    const deadline = Date.now() + attachTimeoutS * 1000;
    for (;;) {
      const { State } = await this.inspect(id);
      if (!State.Running && !State.Restarting) {
        if (State.ExitCode !== 0) {
          throw new Error(`${runName} exited with code ${State.ExitCode}; its last output:\n${await containerLogs(id)}`);
        }
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`${runName} still runs after ${attachTimeoutS} s; its last output:\n${await containerLogs(id)}`);
      }
      await sleep(250);
    }
  }

  private async waitForHealth(runName: string, id: string, timeoutS: number): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const { State } = await this.inspect(id);
      const health = State.Health?.Status;
      if (health === "healthy") {
        return;
      }
      const problem =
        State.Health === undefined
          ? "declares wait but has no health check"
          : health === "unhealthy"
            ? "became unhealthy"
            : !State.Running
              ? `stopped with exit code ${State.ExitCode}`
              : Date.now() > deadline
                ? `is still ${health ?? "without a health status"} after ${timeoutS} s (waitTimeout)`
                : undefined;
      if (problem !== undefined) {
        const probes = (State.Health?.Log ?? []).slice(-3).map((probe) => `  exit ${probe.ExitCode}: ${probe.Output.trim()}`);
        throw new Error(`${runName} ${problem}.\nLast health checks:\n${probes.join("\n")}\nIts last output:\n${await containerLogs(id)}`);
      }
      await sleep(500);
    }
  }

  private inspect(id: string): Promise<ContainerState> {
    return this.engine.call<ContainerState>("GET", `/containers/${id}/json`);
  }
}

interface ContainerState {
  State: {
    Running: boolean;
    Restarting: boolean;
    ExitCode: number;
    Health?: { Status: string; Log: { ExitCode: number; Output: string }[] | null };
  };
}

// Orders resources so that each comes after everything in its dependsOn, keeping the
// registration order otherwise.
export function inDependencyOrder(resources: CapturedResource[]): CapturedResource[] {
  const names = new Set(resources.map((resource) => resource.name));
  const done = new Set<string>();
  const ordered: CapturedResource[] = [];
  while (ordered.length < resources.length) {
    const next = resources.find(
      (resource) => !done.has(resource.name) && resource.dependsOn.every((dependency) => done.has(dependency) || !names.has(dependency)),
    );
    if (next === undefined) {
      const waiting = resources.filter((resource) => !done.has(resource.name)).map((resource) => resource.name);
      throw new Error(`The resources ${waiting.join(", ")} depend on each other in a cycle`);
    }
    done.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

function generatePassword(inputs: RandomPasswordInputs): string {
  const alphabet = [
    inputs.upper === false ? "" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    inputs.lower === false ? "" : "abcdefghijklmnopqrstuvwxyz",
    inputs.numeric === false ? "" : "0123456789",
    // The random provider's default special characters.
    inputs.special === false ? "" : "!@#$%&*()-_=+[]{}<>:?",
  ].join("");
  return Array.from({ length: inputs.length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

function toLabelMap(labels: { label: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((labels ?? []).map(({ label, value }) => [label, value]));
}

async function containerLogs(id: string): Promise<string> {
  return runDocker(["logs", "--tail", "30", id], { includeStderr: true }).catch((error: unknown) => `(no logs: ${(error as Error).message})`);
}

// Names the running containers that publish one of the container's host ports, the usual
// reason a start fails with "port is already allocated".
async function describePortHolders(inputs: ContainerInputs): Promise<string> {
  const holders: string[] = [];
  for (const port of inputs.ports ?? []) {
    if (port.external !== undefined) {
      const names = await runDocker(["ps", "--filter", `publish=${port.external}`, "--format", "{{.Names}}"]).catch(() => "");
      holders.push(...names.split("\n").filter((line) => line !== ""));
    }
  }
  return holders.length === 0 ? "" : `\nContainers publishing the same host port: ${holders.join(", ")}. Stop them first.`;
}
