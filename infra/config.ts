import { existsSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { repositoryRoot } from "./paths.ts";

// The CLI passes every stack value as a string. Pulumi.yaml gives optional keys a "" default.
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value));

// An empty value reports only this rule, not the format checks that follow it.
const requiredText = (rule: string) => z.string().trim().min(1, { error: `must be set to ${rule}`, abort: true });

const booleanText = z.enum(["true", "false"], "must be true or false").transform((value) => value === "true");

const integerText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const imageSettings = {
  // Base image overrides passed to app/Dockerfile as NODE_IMAGE and RUNTIME_IMAGE.
  nodeImage: optionalText,
  runtimeImage: optionalText,
  // A CA bundle for builds behind a TLS-intercepting proxy, given relative to the repository
  // root and parsed into an absolute path.
  npmCaFile: optionalText
    .transform((file) => (file === undefined ? undefined : path.resolve(repositoryRoot, file)))
    .refine((file) => file === undefined || existsSync(file), "must name an existing file, relative to the repository root"),
};

const DockerStackSettings = z.object({
  platform: z.literal("docker"),
  ...imageSettings,
});

const DigitalOceanStackSettings = z.object({
  platform: z.literal("digitalocean"),
  ...imageSettings,
  region: requiredText("a DigitalOcean region slug such as fra1").regex(
    /^[a-z]{3}\d$/,
    "must be a DigitalOcean region slug such as fra1 or nyc3",
  ),
  registryName: requiredText("the account's container registry name").regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    "must be a registry name of lowercase letters, digits and hyphens, at most 63 characters",
  ),
  // false looks the registry up, and true creates it and keeps it when the stack is destroyed.
  createRegistry: booleanText,
  registryTier: z.enum(["starter", "basic", "professional"], "must be starter, basic or professional"),
  databaseVersion: z.string().regex(/^\d{2}$/, "must be a PostgreSQL major version such as 17"),
  databaseSize: z
    .string()
    .regex(/^[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*-\d+vcpu-\d+gb$/, "must be a database size slug such as db-s-1vcpu-1gb"),
  databaseNodeCount: integerText(1, 3),
  appInstanceSize: z
    .string()
    .regex(
      /^(?:apps-[sd]-\d+vcpu-\d+(?:\.\d+)?gb(?:-fixed)?|basic-(?:xxs|xs|s|m)|professional-(?:xs|s|m|1l|l|xl))$/,
      "must be an App Platform instance size slug such as apps-s-1vcpu-1gb",
    ),
  appInstanceCount: integerText(1, 50),
  // Protects the cluster and its database from `pulumi destroy`.
  protect: booleanText,
  domain: optionalText.refine(
    (domain) => domain === undefined || /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain),
    "must be a lowercase domain name such as api.example.com",
  ),
});

const StackSettings = z.discriminatedUnion("platform", [DockerStackSettings, DigitalOceanStackSettings], {
  error: "must be docker (the local Docker engine) or digitalocean",
});

export type DockerStackSettings = z.infer<typeof DockerStackSettings>;
export type DigitalOceanStackSettings = z.infer<typeof DigitalOceanStackSettings>;
export type StackSettings = z.infer<typeof StackSettings>;
export type ImageSettings = Pick<StackSettings, "nodeImage" | "runtimeImage" | "npmCaFile">;

const knownKeys = new Set([...Object.keys(DockerStackSettings.shape), ...Object.keys(DigitalOceanStackSettings.shape)]);

// Parses every key of the project's namespace. Keys that belong to the other platform are
// ignored, because Pulumi.yaml gives all keys a default on every stack.
export function readStackSettings(): StackSettings {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const prefix = `${project}:`;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) {
      values[key.slice(prefix.length)] = value;
    }
  }

  const problems = Object.keys(values)
    .filter((key) => !knownKeys.has(key))
    .map((key) => `${prefix}${key}: not a known key, so remove it or correct its name (known keys: ${[...knownKeys].join(", ")})`);

  const result = StackSettings.safeParse(values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "platform");
      const received = values[key] === undefined ? "missing" : `got ${describeValue(`${prefix}${key}`, values[key])}`;
      problems.push(`${prefix}${key}: ${issue.message}, ${received}`);
    }
  }

  if (!result.success || problems.length > 0) {
    throw new pulumi.RunError(
      [
        `Invalid stack configuration in Pulumi.${stack}.yaml:`,
        ...problems.map((problem) => `  - ${problem}`),
        `Fix each key in Pulumi.${stack}.yaml or with \`pulumi config set --stack ${stack} <key> <value>\`, then run the command again.`,
      ].join("\n"),
    );
  }
  return result.data;
}

// Secret values never reach the message. isConfigSecret is internal to @pulumi/pulumi 3.276;
// without it every value is treated as secret.
function describeValue(key: string, value: string): string {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  const secret = runtime.isConfigSecret?.(key) ?? true;
  return secret ? "[secret]" : JSON.stringify(value);
}
