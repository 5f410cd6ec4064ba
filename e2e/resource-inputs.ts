import { z } from "zod";

// The inputs of each resource type the end-to-end check carries out, as the providers name
// them (@pulumi/docker 4, @pulumi/docker-build 0.0, @pulumi/random 4). The objects are
// strict: an input the check does not carry out fails the parse, so the check never skips
// part of what the program declares.

// A Go duration such as "1s", "1m30s" or "500ms", as the docker provider takes them.
const GoDuration = z.string().transform((text, context) => {
  const nanoseconds = parseGoDuration(text);
  if (nanoseconds === undefined) {
    context.addIssue({ code: "custom", message: `must be a Go duration such as 1s or 1m30s, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return nanoseconds;
});

export const NetworkInputs = z.strictObject({
  name: z.string(),
  driver: z.string().optional(),
  internal: z.boolean().optional(),
  labels: z.array(z.strictObject({ label: z.string(), value: z.string() })).optional(),
});

export const VolumeInputs = z.strictObject({
  name: z.string(),
  driver: z.string().optional(),
  labels: z.array(z.strictObject({ label: z.string(), value: z.string() })).optional(),
});

export const RemoteImageInputs = z.strictObject({
  name: z.string(),
  // Only decides whether `pulumi destroy` removes the image. This check never removes it.
  keepLocally: z.boolean().optional(),
  // Only decide when Pulumi replaces the resource.
  triggers: z.record(z.string(), z.unknown()).optional(),
});

export const RandomPasswordInputs = z.strictObject({
  length: z.number().int().min(1),
  special: z.boolean().optional(),
  upper: z.boolean().optional(),
  lower: z.boolean().optional(),
  numeric: z.boolean().optional(),
});

export const ImageInputs = z.strictObject({
  context: z.strictObject({ location: z.string() }),
  dockerfile: z.strictObject({ location: z.string() }).optional(),
  target: z.string().optional(),
  platforms: z.array(z.string()).max(1, "must name at most one platform: the local engine loads one").optional(),
  tags: z.array(z.string()).min(1, "must name at least one tag: the containers run the image by its tag"),
  buildArgs: z.record(z.string(), z.string()).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
  network: z.enum(["default", "host", "none"]).optional(),
  push: z.literal(false, "must be false: the local stack loads the image into the engine"),
  load: z.boolean().optional(),
  // Only decides whether `pulumi preview` builds too.
  buildOnPreview: z.boolean().optional(),
});

export const ContainerInputs = z.strictObject({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  entrypoints: z.array(z.string()).optional(),
  envs: z.array(z.string()).optional(),
  labels: z.array(z.strictObject({ label: z.string(), value: z.string() })).optional(),
  user: z.string().optional(),
  workingDir: z.string().optional(),
  networksAdvanced: z
    .array(z.strictObject({ name: z.string(), aliases: z.array(z.string()).optional() }))
    .optional(),
  ports: z
    .array(
      z.strictObject({
        internal: z.number().int(),
        external: z.number().int().optional(),
        ip: z.string().optional(),
        protocol: z.enum(["tcp", "udp", "sctp"]).optional(),
      }),
    )
    .optional(),
  volumes: z
    .array(
      z.strictObject({
        volumeName: z.string().optional(),
        hostPath: z.string().optional(),
        containerPath: z.string(),
        readOnly: z.boolean().optional(),
      }),
    )
    .optional(),
  healthcheck: z
    .strictObject({
      tests: z.array(z.string()).min(1),
      interval: GoDuration.optional(),
      timeout: GoDuration.optional(),
      startPeriod: GoDuration.optional(),
      retries: z.number().int().optional(),
    })
    .optional(),
  restart: z.enum(["no", "on-failure", "always", "unless-stopped"]).optional(),
  maxRetryCount: z.number().int().optional(),
  stopSignal: z.string().optional(),
  stopTimeout: z.number().int().optional(),
  init: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  start: z.boolean().optional(),
  // Waits for the container to exit.
  attach: z.boolean().optional(),
  // Waits for the health check to pass, for waitTimeout seconds (the provider's default is 60).
  wait: z.boolean().optional(),
  waitTimeout: z.number().int().optional(),
  // Only affect what `pulumi refresh` and the CLI output show.
  mustRun: z.boolean().optional(),
  logs: z.boolean().optional(),
});

export type NetworkInputs = z.infer<typeof NetworkInputs>;
export type VolumeInputs = z.infer<typeof VolumeInputs>;
export type RemoteImageInputs = z.infer<typeof RemoteImageInputs>;
export type RandomPasswordInputs = z.infer<typeof RandomPasswordInputs>;
export type ImageInputs = z.infer<typeof ImageInputs>;
export type ContainerInputs = z.infer<typeof ContainerInputs>;

// Parses a resource's inputs with `schema`, or fails with every problem and the file to extend.
export function parseInputs<T extends z.ZodType>(schema: T, type: string, name: string, inputs: unknown): z.infer<T> {
  const result = schema.safeParse(inputs);
  if (!result.success) {
    throw new Error(
      `${type} ${name} declares inputs the end-to-end check cannot carry out:\n${z.prettifyError(result.error)}\nCarry them out in e2e/ and list them in e2e/resource-inputs.ts.`,
    );
  }
  return result.data;
}

const nanosecondsPerUnit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

// Returns the nanoseconds in a Go duration ("1m30s"), or undefined when the text is not one.
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") {
    return 0;
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) {
    return undefined;
  }
  return Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * (nanosecondsPerUnit[unit ?? ""] ?? 0), 0));
}
