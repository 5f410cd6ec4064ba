// Measures the service image on the local Docker engine. It prints the size the image adds to
// its base, the build time cold and after a one-file change, and the time to the first health
// check 200. It checks the image's user and scans every layer, the history and the config for
// secrets and files that do not belong in the image.
// Usage: node bench/image/benchmark.ts [--cold-builds 3] [--warm-builds 3] [--startup-runs 5]
//   [--npm-ca FILE | --no-npm-ca] [--runtime-image IMAGE] [--dockerfile FILE] [--poll-from-start]
// --dockerfile measures another Dockerfile in place of app/Dockerfile, such as a proposed change.
// Exits 1 when the scan finds something or the image runs as root. A missed size or time
// goal is printed but is not an error.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { dockerCli, runDocker } from "../../e2e/docker-engine.ts";
import { positiveInteger } from "../report.ts";
import { TemporaryBuildContext } from "./build-context.ts";
import { buildImage, type BuildSettings, type TimedBuild } from "./image-build.ts";
import { readImageUser, type ImageUser } from "./image-user.ts";
import { scanImage } from "./layer-scan.ts";
import { measureImageSizes } from "./layer-sizes.ts";
import { readPackageSets } from "./package-sets.ts";
import { printBuildSteps, printFindings, printLayers, printLoad, printMachine, printSummary, type SummaryInput } from "./image-report.ts";
import { readSecretMarkers } from "./secret-markers.ts";
import { measureStartup, type StartupRun } from "./startup-time.ts";

const { values: options } = parseArgs({
  options: {
    "cold-builds": { type: "string", default: "3" },
    "warm-builds": { type: "string", default: "3" },
    "startup-runs": { type: "string", default: "5" },
    // Debian's bundle of the system's trusted CAs, which includes a local TLS-intercepting
    // proxy's CA when the machine trusts one.
    "npm-ca": { type: "string", default: "/etc/ssl/certs/ca-certificates.crt" },
    "no-npm-ca": { type: "boolean", default: false },
    "runtime-image": { type: "string" },
    dockerfile: { type: "string" },
    // Polls the health check while `docker run` still runs (see startup-time.ts for the cost).
    "poll-from-start": { type: "boolean", default: false },
  },
});

const coldBuildCount = positiveInteger(options["cold-builds"], "--cold-builds");
const warmBuildCount = positiveInteger(options["warm-builds"], "--warm-builds");
const startupRunCount = positiveInteger(options["startup-runs"], "--startup-runs");
const repositoryRoot = path.resolve(import.meta.dirname, "..", "..");
const npmCaFile = selectNpmCaFile();
const dockerfile = path.resolve(options.dockerfile ?? path.join(repositoryRoot, "app", "Dockerfile"));
const runtimeImage = options["runtime-image"] ?? (await readDockerfileDefault(dockerfile, "RUNTIME_IMAGE"));

const runId = `${Date.now().toString(36)}-${process.pid}`;
const imageName = "zero2prod-bench-image";
const containerPrefix = `zero2prod-bench-image-${runId}`;
const createdTags: string[] = [];

await requireImage(runtimeImage);
await printMachine();
console.log(`Copying the build context of ${repositoryRoot} ...`);
const context = await TemporaryBuildContext.copyOf(repositoryRoot, dockerfile);
const containerNames = Array.from({ length: startupRunCount }, (_, index) => `${containerPrefix}-start-${index + 1}`);
// Ctrl-C ends the process without running the finally block below, so remove everything here.
process.once("SIGINT", () => {
  spawnSync(dockerCli, ["rm", "--force", ...containerNames], { stdio: "ignore" });
  if (createdTags.length > 0) {
    spawnSync(dockerCli, ["image", "rm", ...createdTags], { stdio: "ignore" });
  }
  rmSync(context.rootDirectory, { recursive: true, force: true });
  process.exit(130);
});
let exitCode = 0;

try {
  const settings: BuildSettings = { context, npmCaFile, runtimeImage: options["runtime-image"] };

  const cold: TimedBuild[] = [];
  for (let run = 1; run <= coldBuildCount; run += 1) {
    console.log(`Building cold with --no-cache (${run} of ${coldBuildCount}) ...`);
    cold.push(await build(settings, `${imageName}:${runId}-cold-${run}`, true));
  }
  // The measured image is the first cold build's: the repository's sources, unchanged.
  const image = cold[0]?.tag ?? "";
  const warm: TimedBuild[] = [];
  for (let run = 1; run <= warmBuildCount; run += 1) {
    console.log(`Building warm after a change to one source file (${run} of ${warmBuildCount}) ...`);
    await context.editSource(`${runId}-${run}`);
    warm.push(await build(settings, `${imageName}:${runId}-warm-${run}`, false));
  }
  // Every step CACHED: the time BuildKit needs for any build, however small the change.
  console.log("Building again without a change ...");
  const unchanged = await build(settings, `${imageName}:${runId}-unchanged`, false);

  const sizes = await measureImageSizes(image, runtimeImage);

  console.log(`Starting the image ${startupRunCount} times ...`);
  const startups: StartupRun[] = [];
  let user: ImageUser | undefined;
  const readUser = async (container: string) => {
    user ??= await readImageUser(image, container);
  };
  for (const containerName of containerNames) {
    startups.push(await measureStartup(image, containerName, options["poll-from-start"], readUser));
  }
  if (user === undefined) {
    throw new Error("Failed to read the image's user: no container of the image ran");
  }

  console.log("Scanning every layer, the history and the config ...");
  const scan = await scanImage(image, context.scratchPath("image.tar"), {
    baseLayerCount: sizes.layerCount - sizes.addedLayerCount,
    markers: await readSecretMarkers(npmCaFile),
    packages: await readPackageSets(repositoryRoot),
  });

  console.log("");
  printLayers(sizes, scan);
  printBuildSteps(cold, warm);
  printFindings(scan.findings);
  printLoad("after the run");
  const summary: SummaryInput = { runtimeImage, sizes, cold, warm, unchanged, startups, pollFromStart: options["poll-from-start"], user, scan };
  printSummary(summary);

  if (scan.findings.length > 0 || user.isRoot) {
    exitCode = 1;
  }
} finally {
  for (const tag of createdTags) {
    await removeTag(tag);
  }
  await context.remove();
}
process.exit(exitCode);

async function build(settings: BuildSettings, tag: string, noCache: boolean): Promise<TimedBuild> {
  // Recorded first, so a failed build's tag is removed if the engine created it anyway.
  createdTags.push(tag);
  return buildImage(settings, tag, noCache);
}

async function removeTag(tag: string): Promise<void> {
  try {
    await runDocker(["image", "rm", tag]);
  } catch (error) {
    // A build that failed early never created its tag.
    if (!(error instanceof Error && error.message.includes("No such image"))) {
      console.error(`Failed to remove the tag ${tag}: ${String(error)}`);
    }
  }
}

function selectNpmCaFile(): string | undefined {
  if (options["no-npm-ca"]) {
    return undefined;
  }
  const file = path.resolve(options["npm-ca"] ?? "");
  if (!existsSync(file)) {
    throw new Error(`--npm-ca ${file} does not exist: pass the CA bundle the build needs to reach the npm registry, or --no-npm-ca`);
  }
  return file;
}

// The default of `ARG <name>=<value>` in the Dockerfile.
async function readDockerfileDefault(dockerfile: string, name: string): Promise<string> {
  const text = await readFile(dockerfile, "utf8");
  const value = new RegExp(`^ARG ${name}=(\\S+)\\s*$`, "m").exec(text)?.[1];
  if (value === undefined) {
    throw new Error(`${dockerfile} declares no default for ARG ${name}: pass the runtime stage's base with --runtime-image`);
  }
  return value;
}

async function requireImage(image: string): Promise<void> {
  try {
    await runDocker(["image", "inspect", "--format", "{{.Id}}", image]);
  } catch (error) {
    throw new Error(
      `Failed to find the base image ${image} on the local engine: pull it, or on a machine without registry access build the stand-ins with scripts/docker/stand-ins.sh`,
      { cause: error },
    );
  }
}
