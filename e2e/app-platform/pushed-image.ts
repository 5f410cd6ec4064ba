import path from "node:path";
import { type DockerEngine, runDocker } from "../docker-engine.ts";
import { buildImage, type BuiltImage } from "../image-build.ts";
import type { CleanupSteps } from "./cleanup-steps.ts";
import type { LoopbackRegistry } from "./loopback-registry.ts";
import { type PushedImageInputs, repositoryOf } from "./production-declaration.ts";

export interface PushedImage {
  built: BuiltImage;
  // The repository inside the registry, what an App spec names as image.repository.
  repository: string;
  // The manifest digest the registry reports for the pushed tag.
  digest: string;
}

export interface PushOptions {
  engine: DockerEngine;
  cleanup: CleanupSteps;
  registry: LoopbackRegistry;
  runId: string;
  projectRoot: string;
}

// Builds the image as declared and pushes it to the loopback registry, used in place of the
// account's DOCR registry <registry address>/<registryName>. The tag gets the run id, so runs
// never overwrite each other's tags.
export async function buildAndPush(inputs: PushedImageInputs, registryName: string, options: PushOptions): Promise<PushedImage> {
  const { engine, cleanup, registry } = options;
  const { registries, ...buildInputs } = inputs;
  // The local build takes the same inputs, but loads the image so that it can be retagged and pushed.
  const built = await buildImage({ ...buildInputs, push: false, load: true }, options.runId, options.projectRoot);
  for (const tag of built.tags) {
    cleanup.add(`image tag ${tag}`, () => engine.remove(`/images/${encodeURIComponent(tag)}`));
  }

  const declaredTag = built.tags[0] as string;
  const declaredRepository = repositoryOf(declaredTag);
  const docrPrefix = `${registries[0]?.address}/${registryName}/`;
  if (!declaredRepository.startsWith(docrPrefix)) {
    throw new Error(`The image is tagged ${declaredTag}, outside the registry it logs in to (${docrPrefix}), so App Platform could not pull it from DOCR`);
  }
  const repository = declaredRepository.slice(docrPrefix.length);
  const tag = declaredTag.slice(declaredRepository.length + 1);
  const standInTag = `${registry.address}/${repository}:${tag}`;
  cleanup.add(`image tag ${standInTag}`, () => engine.remove(`/images/${encodeURIComponent(standInTag)}`));
  await runDocker(["tag", built.id, standInTag]);
  await runDocker(["push", standInTag]);

  const digest = await registry.manifestDigest(repository, tag);
  console.info(`[e2e] pushed ${standInTag} as ${digest}`);
  cleanup.add(`registry manifest ${repository}@${digest}`, () => registry.deleteManifest(repository, digest));

  // Without local tags the image leaves the engine, unless another tag still refers to it, so the
  // pull by digest that follows has to fetch it from the registry.
  for (const reference of [...built.tags, standInTag]) {
    await engine.remove(`/images/${encodeURIComponent(reference)}`);
  }
  return { built, repository, digest };
}

// Pulls `reference` (<registry>/<repository>@<digest>) and returns the pulled image's ID.
export async function pullByDigest(engine: DockerEngine, cleanup: CleanupSteps, reference: string): Promise<string> {
  cleanup.add(`image ${reference}`, () => engine.remove(`/images/${encodeURIComponent(reference)}`));
  const output = await runDocker(["pull", reference]);
  console.info(`[e2e] pulled ${reference}: ${output.trim().split("\n").find((line) => line.startsWith("Status:")) ?? "no status"}`);
  const image = await engine.call<{ Id: string }>("GET", `/images/${encodeURIComponent(reference)}/json`);
  return image.Id;
}

// Copies the folder `relativePath` of the image's working directory into `destination` through
// a container that never starts, and returns the folder's absolute path inside the image.
export async function copyFromImage(
  engine: DockerEngine,
  reference: string,
  relativePath: string,
  destination: string,
  containerName: string,
): Promise<string> {
  const { Config } = await engine.call<{ Config: { WorkingDir: string } }>("GET", `/images/${encodeURIComponent(reference)}/json`);
  const imagePath = path.posix.join(Config.WorkingDir || "/", relativePath);
  const { Id: id } = await engine.call<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(containerName)}`, { Image: reference });
  try {
    await runDocker(["cp", `${id}:${imagePath}/.`, destination]);
  } finally {
    await engine.remove(`/containers/${id}?force=1`);
  }
  return imagePath;
}
