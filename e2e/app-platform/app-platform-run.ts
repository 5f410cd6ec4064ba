import type { DockerEngine } from "../docker-engine.ts";
import { type AppSpec, type DatabaseSpec, type JobSpec, type ServiceSpec, splitRunCommand } from "./app-spec.ts";
import { bindEnvironment } from "./bindable-variables.ts";
import type { CleanupSteps } from "./cleanup-steps.ts";
import { type ComponentContainerOptions, type JobResult, type RunningService, runJob, startService } from "./component-container.ts";

export interface AppPlatformRunOptions {
  engine: DockerEngine;
  cleanup: CleanupSteps;
  // The loopback registry used in place of the account's DOCR registry.
  registryAddress: string;
  network: string;
  runId: string;
}

// A variant of a component's run: a label that makes its container's name unique, and folders
// mounted over the image's, such as a migrations folder with a broken file.
export interface RunVariant {
  label?: string;
  mounts?: Record<string, string>;
}

// Runs the components of an App spec on the local engine as App Platform runs them: each from
// its image by digest, with its runCommand and its run-time variables bound to `variables`.
export class AppPlatformRun {
  readonly spec: AppSpec;
  private readonly options: AppPlatformRunOptions;

  constructor(spec: AppSpec, options: AppPlatformRunOptions) {
    this.spec = spec;
    this.options = options;
  }

  get service(): ServiceSpec {
    return this.spec.services[0] as ServiceSpec;
  }

  // The one cluster that every database component attaches.
  get clusterName(): string {
    return (this.spec.databases[0] as DatabaseSpec).clusterName;
  }

  // The reference App Platform pulls for a DOCR image: <registry>/<repository>@<digest>.
  imageOf(component: ServiceSpec | JobSpec): string {
    return `${this.options.registryAddress}/${component.image.repository}@${component.image.digest}`;
  }

  // The ports App Platform sends traffic and health checks to.
  servicePorts(): number[] {
    const { httpPort, healthCheck } = this.service;
    return [...new Set([httpPort, healthCheck.port ?? httpPort])];
  }

  runJob(job: JobSpec, variables: ReadonlyMap<string, string>, variant: RunVariant = {}): Promise<JobResult> {
    const { engine, cleanup } = this.options;
    return runJob(engine, cleanup, this.containerOptions(job, variables, variant));
  }

  startService(variables: ReadonlyMap<string, string>, variant: RunVariant = {}): Promise<RunningService> {
    const { engine, cleanup } = this.options;
    return startService(engine, cleanup, this.containerOptions(this.service, variables, variant), this.servicePorts());
  }

  private containerOptions(component: ServiceSpec | JobSpec, variables: ReadonlyMap<string, string>, variant: RunVariant): ComponentContainerOptions {
    const nameParts = [this.spec.name, component.name, variant.label, this.options.runId].filter((part) => part !== undefined);
    return {
      name: nameParts.join("-"),
      image: this.imageOf(component),
      command: component.runCommand === undefined ? undefined : splitRunCommand(component.name, component.runCommand),
      env: bindEnvironment(component.name, component.envs, variables),
      network: this.options.network,
      mounts: variant.mounts,
    };
  }
}
