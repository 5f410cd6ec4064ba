import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runDocker } from "./docker-engine.ts";
import type { ImageInputs } from "./resource-inputs.ts";

export interface BuiltImage {
  // The declared tags with the run's suffix, in the declared order.
  tags: string[];
  // The image ID, "sha256:" and 64 hex digits.
  id: string;
}

// Builds a docker-build Image with the local engine's BuildKit as declared: context,
// Dockerfile, target, platform, build arguments and secrets. Relative paths are taken from
// `projectRoot`, the folder of Pulumi.yaml, as Pulumi does. Each tag gets `-<runId>` appended
// so a run never replaces an image the user built.
export async function buildImage(inputs: ImageInputs, runId: string, projectRoot: string): Promise<BuiltImage> {
  const context = path.resolve(projectRoot, inputs.context.location);
  const dockerfile = path.resolve(projectRoot, inputs.dockerfile?.location ?? path.join(context, "Dockerfile"));
  const tags = inputs.tags.map((tag) => withRunSuffix(tag, runId));
  // Secrets go through files readable by this user only, never through the command line.
  const secretsFolder = await mkdtemp(path.join(tmpdir(), "zero2prod-e2e-build-"));

  try {
    const args = ["build", "--progress=plain", "--file", dockerfile, "--iidfile", path.join(secretsFolder, "image-id")];
    if (inputs.target !== undefined) {
      args.push("--target", inputs.target);
    }
    for (const platform of inputs.platforms ?? []) {
      args.push("--platform", platform);
    }
    if (inputs.network !== undefined && inputs.network !== "default") {
      args.push("--network", inputs.network);
    }
    for (const tag of tags) {
      args.push("--tag", tag);
    }
    for (const [name, value] of Object.entries(inputs.buildArgs ?? {})) {
      args.push("--build-arg", `${name}=${value}`);
    }
    for (const [id, value] of Object.entries(inputs.secrets ?? {})) {
      const file = path.join(secretsFolder, `secret-${id}`);
      await writeFile(file, value, { mode: 0o600 });
      args.push("--secret", `id=${id},src=${file}`);
    }

    await runDocker([...args, context]);
    const id = (await readFile(path.join(secretsFolder, "image-id"), "utf8")).trim();
    return { tags, id };
  } finally {
    await rm(secretsFolder, { recursive: true, force: true });
  }
}

// "zero2prod:0123abcd" becomes "zero2prod:0123abcd-<runId>"; a name without a tag gets the run id as its tag.
export function withRunSuffix(reference: string, runId: string): string {
  const lastSlash = reference.lastIndexOf("/");
  const lastColon = reference.lastIndexOf(":");
  return lastColon > lastSlash ? `${reference}-${runId}` : `${reference}:${runId}`;
}
