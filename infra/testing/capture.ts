import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { fakeCall, fakeResource } from "./fake-outputs.ts";
import { toPlainValues } from "./plain-values.ts";
import { readStackConfig, type StackConfigOptions } from "./stack-config.ts";

export interface CapturedResource {
  type: string;
  name: string;
  // Plain JSON: outputs resolved, secrets unwrapped (their paths are in secretPaths).
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
  // Names of the resources this one waits for: explicit dependsOn and those whose outputs feed its inputs.
  dependsOn: string[];
  // The parent component's name; absent for resources directly under the stack.
  parent?: string;
  secretPaths?: string[];
}

export interface CapturedStack {
  // In registration order, without the root stack resource.
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
}

export type CaptureOptions = StackConfigOptions;

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const programUrl = new URL("../index.ts", import.meta.url).href;
const stackType = "pulumi:pulumi:Stack";

let captureRunning = false;

// Runs the Pulumi program under mocks with the configuration of Pulumi.<stack>.yaml (plus the
// Pulumi.yaml defaults) and returns every resource registration and the stack outputs.
// Pulumi's mocks are process-global: captures in one process must run one after another.
export async function captureStack(stack: string, options: CaptureOptions = {}): Promise<CapturedStack> {
  if (captureRunning) {
    throw new Error(
      `captureStack("${stack}") was called while another capture is running: Pulumi's mocks are process-global, so await each capture before starting the next`,
    );
  }
  captureRunning = true;
  try {
    return await runCapture(stack, options);
  } finally {
    captureRunning = false;
  }
}

async function runCapture(stack: string, options: CaptureOptions): Promise<CapturedStack> {
  const config = readStackConfig(repositoryRoot, stack, options);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  const recorder = new RegistrationRecorder();
  await pulumi.runtime.setMocks(
    { newResource: (args) => recorder.fakeResource(args), call: fakeCall },
    config.project,
    stack,
    false,
  );
  recorder.attach(pulumi.runtime.getMonitor());

  const program = (await import(programUrl)) as { default: () => Promise<Record<string, unknown>> };
  try {
    await pulumi.runtime.runInPulumiStack(() => program.default());
  } finally {
    // Registrations still in flight would otherwise land in the next capture.
    await pulumi.runtime.disconnect();
  }
  recorder.throwFirstFailure();
  return { resources: recorder.resources, outputs: recorder.stackOutputs };
}

// The parts of a RegisterResourceRequest (Pulumi's resource.proto) that the capture reads.
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface RegisterResourceOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (error: unknown, response: unknown) => void;

interface MockMonitorMethods {
  registerResource(request: RegisterResourceRequest, callback: Callback): unknown;
  registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback): unknown;
}

// Records each registration as the mock monitor receives it. The options come from the
// registration request and not from a stack transform: Pulumi 3.276's mock monitor hands
// stack transforms to Mocks.registerTransform but never calls them.
class RegistrationRecorder {
  readonly resources: CapturedResource[] = [];
  stackOutputs: Record<string, unknown> = {};
  private readonly failures: unknown[] = [];
  // Output names the SDK marks secret per resource (additionalSecretOutputs), keyed by type and
  // name; the engine applies them, and the mock monitor does not.
  private readonly secretOutputs = new Map<string, string[]>();

  attach(monitor: unknown): void {
    const methods = monitor as MockMonitorMethods;
    const registerResource = methods.registerResource.bind(methods);
    const registerResourceOutputs = methods.registerResourceOutputs.bind(methods);

    methods.registerResource = (request, callback) => {
      this.record(request);
      return registerResource(request, (error, response) => {
        if (error) {
          this.failures.push(error);
        }
        callback(error, response);
      });
    };
    methods.registerResourceOutputs = (request, callback) => {
      if (request.getUrn().split("::")[2] === stackType) {
        this.stackOutputs = toPlainValues(request.getOutputs()?.toJavaScript() ?? {}).values;
      }
      return registerResourceOutputs(request, callback);
    };
  }

  fakeResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const result = fakeResource(args);
    for (const key of this.secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
      if (key in result.state) {
        result.state[key] = pulumi.secret(result.state[key]);
      }
    }
    return result;
  }

  throwFirstFailure(): void {
    if (this.failures.length > 0) {
      throw this.failures[0];
    }
  }

  private record(request: RegisterResourceRequest): void {
    const type = request.getType();
    const name = request.getName();
    this.secretOutputs.set(`${type}::${name}`, request.getAdditionalsecretoutputsList());
    if (type === stackType) {
      return;
    }

    const { values, secretPaths } = toPlainValues(request.getObject()?.toJavaScript() ?? {});
    const parent = request.getParent();
    const resource: CapturedResource = {
      type,
      name,
      inputs: values,
      protect: request.getProtect(),
      retainOnDelete: request.getRetainondelete(),
      dependsOn: [...new Set(request.getDependenciesList().map(nameOfUrn))],
    };
    if (parent !== "" && parent.split("::")[2] !== stackType) {
      resource.parent = nameOfUrn(parent);
    }
    if (secretPaths.length > 0) {
      resource.secretPaths = secretPaths;
    }
    this.resources.push(resource);
  }
}

// A URN ends with "::<type>::<name>"; the parent types before the resource's own are joined by "$".
function nameOfUrn(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}
