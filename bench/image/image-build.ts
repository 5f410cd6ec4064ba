import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runDocker } from "../../e2e/docker-engine.ts";
import type { TemporaryBuildContext } from "./build-context.ts";
import { parseBuildSteps, type BuildStep } from "./build-progress.ts";

export interface BuildSettings {
  context: TemporaryBuildContext;
  // A CA bundle handed to the build as the secret npm_ca, or undefined for none.
  npmCaFile: string | undefined;
  // RUNTIME_IMAGE for the Dockerfile, or undefined to keep the Dockerfile's default.
  runtimeImage: string | undefined;
}

export interface TimedBuild {
  tag: string;
  // The image ID, "sha256:" and 64 hex digits.
  imageId: string;
  // Wall-clock time of the `docker build` command, from start to exit.
  seconds: number;
  steps: BuildStep[];
}

// Builds the Dockerfile's runtime stage, as the Pulumi stacks do, and times the whole command.
// `noCache` ignores BuildKit's layer cache. Cache mounts such as npm's download cache stay as
// earlier builds left them, because --no-cache does not empty them.
export async function buildImage(settings: BuildSettings, tag: string, noCache: boolean): Promise<TimedBuild> {
  const contextDirectory = settings.context.directory;
  const imageIdFile = settings.context.scratchPath("image-id");
  const args = [
    "build",
    "--progress=plain",
    "--target",
    "runtime",
    "--file",
    path.join(contextDirectory, "app", "Dockerfile"),
    "--iidfile",
    imageIdFile,
    "--tag",
    tag,
  ];
  if (noCache) {
    args.push("--no-cache");
  }
  if (settings.npmCaFile !== undefined) {
    args.push("--secret", `id=npm_ca,src=${settings.npmCaFile}`);
  }
  if (settings.runtimeImage !== undefined) {
    args.push("--build-arg", `RUNTIME_IMAGE=${settings.runtimeImage}`);
  }
  args.push(contextDirectory);

  const started = performance.now();
  // BuildKit writes its progress to standard error.
  const output = await runDocker(args, { includeStderr: true });
  const seconds = (performance.now() - started) / 1000;

  const imageId = (await readFile(imageIdFile, "utf8")).trim();
  await rm(imageIdFile, { force: true });
  return { tag, imageId, seconds, steps: parseBuildSteps(output) };
}
