import * as pulumi from "@pulumi/pulumi";
import { repositoryRoot } from "../paths.ts";
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
  // The parent component's name, absent for resources directly under the stack.
  parent?: string;
  secretPaths?: string[];
}

export interface CapturedStack {
  // In registration order, without the root stack resource.
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
}

export interface CaptureOptions extends StackConfigOptions {
  // Fake outputs to use in place of the defaults, by resource name, such as
  // { "zero2prod-local-migrate": { exitCode: 1 } }.
  outputOverrides?: Record<string, Record<string, unknown>>;
}

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
    return await failOnUnhandledRejections(() => runCapture(stack, options));
  } finally {
    captureRunning = false;
  }
}

// Pulumi's Node.js run harness fails the program on an unhandled rejection, and a failed Output
// leaves many: every promise derived from it rejects unobserved. While a capture runs, this takes
// over the process's handlers, then throws the program's own error, else the first rejection.
async function failOnUnhandledRejections<T>(run: () => Promise<T>): Promise<T> {
  const previousListeners = process.listeners("unhandledRejection");
  const rejections: unknown[] = [];
  const record = (reason: unknown) => rejections.push(reason);
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", record);

  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await run() };
  } catch (error) {
    outcome = { error };
  } finally {
    // Node reports unhandled rejections after the microtask queue drains.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", record);
    for (const listener of previousListeners) {
      process.on("unhandledRejection", listener);
    }
  }

  if ("error" in outcome) {
    throw outcome.error;
  }
  if (rejections.length > 0) {
    throw rejections[0];
  }
  return outcome.value;
}

async function runCapture(stack: string, options: CaptureOptions): Promise<CapturedStack> {
  const config = readStackConfig(repositoryRoot, stack, options);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  const recorder = new RegistrationRecorder(options.outputOverrides ?? {});
  await pulumi.runtime.setMocks(
    { newResource: (args) => recorder.fakeResource(args), call: fakeCall },
    config.project,
    stack,
    false,
  );
  recorder.attach(pulumi.runtime.getMonitor());

  const program = (await import(programUrl)) as { default: () => Promise<Record<string, unknown>> };
  // The program's error is kept out of the stack resource, because Pulumi derives promises from
  // the stack's outputs that are never awaited, and each would become an unhandled rejection.
  let programError: unknown;
  const runProgram = async () => {
    try {
      return await program.default();
    } catch (error) {
      programError = error;
      return {};
    }
  };
  try {
    await pulumi.runtime.runInPulumiStack(runProgram);
  } finally {
    // Registrations still in flight would otherwise land in the next capture.
    await pulumi.runtime.disconnect();
  }
  if (programError !== undefined) {
    throw programError;
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
  // name. The engine applies them, but the mock monitor does not.
  private readonly secretOutputs = new Map<string, string[]>();
  private readonly outputOverrides: Record<string, Record<string, unknown>>;

  constructor(outputOverrides: Record<string, Record<string, unknown>>) {
    this.outputOverrides = outputOverrides;
  }

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
    Object.assign(result.state, this.outputOverrides[args.name]);
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

// Returns the name at the end of a URN, which ends with "::<qualified type>::<name>".
function nameOfUrn(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}
