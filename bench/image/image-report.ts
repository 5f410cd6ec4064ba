// The image benchmark's console output: the machine, the layers, the build steps, the scan's
// findings and the summary table with a goal and a verdict per figure.
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { runDocker } from "../../e2e/docker-engine.ts";
import { printTable } from "../report.ts";
import { cacheableSteps, findInstallStep, type BuildStep } from "./build-progress.ts";
import type { ImageUser } from "./image-user.ts";
import type { TimedBuild } from "./image-build.ts";
import type { Finding, LayerScan } from "./layer-scan.ts";
import type { ImageSizes } from "./layer-sizes.ts";
import type { StartupRun } from "./startup-time.ts";

// Goals. Megabytes are 10^6 bytes, as `docker image ls` counts them.
const maxAddedMegabytes = 15;
const maxWarmToColdRatio = 0.1;
const maxStartupSeconds = 1;
const listedPathLimit = 40;
const listedFindingLimit = 50;

export interface SummaryInput {
  runtimeImage: string;
  sizes: ImageSizes;
  cold: TimedBuild[];
  warm: TimedBuild[];
  // A build right after the last warm one, with no change.
  unchanged: TimedBuild;
  startups: StartupRun[];
  // Whether polling began before `docker run` exited.
  pollFromStart: boolean;
  user: ImageUser;
  scan: LayerScan;
}

export async function printMachine(): Promise<void> {
  const dockerVersion = (await runDocker(["version", "--format", "{{.Server.Version}}"])).trim();
  const gibibytes = totalmem() / 2 ** 30;
  console.log(
    `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown model"}), ${gibibytes.toFixed(1)} GiB, Docker ${dockerVersion}, Node.js ${process.versions.node}, ${new Date().toISOString()}`,
  );
  printLoad("before the run");
}

// Other work on the machine slows the builds, and the load average shows how much there was.
export function printLoad(when: string): void {
  console.log(`Load average ${when} (1, 5, 15 minutes): ${loadavg().map((load) => load.toFixed(2)).join(", ")}`);
}

export function printLayers(sizes: ImageSizes, scan: LayerScan): void {
  const projectLayers = scan.layers.filter((layer) => layer.scope === "project");
  console.log(`Layers the project adds (${projectLayers.length} of ${scan.layers.length}):`);
  printTable(
    ["layer", "entries", "file bytes", "created by"],
    projectLayers.map((layer) => [String(layer.index), String(layer.entryCount), String(layer.bytes), shorten(layer.createdBy, 70)]),
  );
  console.log(`History steps after the base's, with \`docker history\` sizes in bytes:`);
  printTable(
    ["bytes", "created by"],
    sizes.addedSteps.map((step) => [String(step.bytes), shorten(step.createdBy, 70)]),
  );

  const paths = projectLayers.flatMap((layer) => layer.paths);
  const listed = paths.slice(0, listedPathLimit).join(" ");
  const more = paths.length > listedPathLimit ? ` ... and ${paths.length - listedPathLimit} more` : "";
  console.log(`Files in those layers: ${listed}${more}\n`);
}

export function printBuildSteps(cold: TimedBuild[], warm: TimedBuild[]): void {
  console.log(`Dockerfile steps, seconds from BuildKit (median of ${cold.length} cold and ${warm.length} warm builds, or CACHED):`);
  // FROM steps take no time, and stages with the same base share one FROM vertex.
  const rows = (cold[0]?.steps ?? [])
    .filter((step) => step.stage !== "internal" && !step.name.startsWith("FROM "))
    .map((step) => [step.stage, shorten(step.name, 60), formatStepTimes(findSteps(cold, step)), formatStepTimes(findSteps(warm, step))]);
  printTable(["stage", "step", "cold", "warm"], rows);
  for (const build of cold) {
    const installLog = findInstallStep(build.steps)?.logs.find((line) => /added \d+ packages/.test(line));
    console.log(`npm ci in a cold build: ${installLog?.trim() ?? "no summary line"}`);
  }
  console.log("");
}

// The step with the same stage and name in each build.
function findSteps(builds: TimedBuild[], step: BuildStep): (BuildStep | undefined)[] {
  return builds.map((build) => build.steps.find((candidate) => candidate.stage === step.stage && candidate.name === step.name));
}

export function printFindings(findings: Finding[]): void {
  if (findings.length === 0) {
    console.log("Scan findings: none\n");
    return;
  }
  console.log(`Scan findings (${findings.length}):`);
  for (const finding of findings.slice(0, listedFindingLimit)) {
    console.log(`  ${finding.where}: ${finding.path === undefined ? "" : `/${finding.path}: `}${finding.problem}`);
  }
  if (findings.length > listedFindingLimit) {
    console.log(`  ... and ${findings.length - listedFindingLimit} more`);
  }
  console.log("");
}

export function printSummary(input: SummaryInput): void {
  const { sizes, cold, warm, startups, user, scan } = input;
  const addedMegabytes = sizes.addedBytes / 1e6;
  const coldSeconds = median(cold.map((build) => build.seconds));
  const warmSeconds = median(warm.map((build) => build.seconds));
  const ratio = warmSeconds / coldSeconds;
  const firstOk = startups.map((run) => run.firstOkSeconds);
  const runCommand = startups.map((run) => run.runCommandSeconds);
  const cachedInstalls = warm.filter((build) => findInstallStep(build.steps)?.cached === true).length;
  const fullyCachedDependencies = warm.filter(allDependencyStepsCached).length;
  const coldInstallsRan = cold.every((build) => findInstallStep(build.steps)?.cached === false);
  // Every warm build must produce a new image, or the edit did not reach the bundle.
  const coldImages = new Set(cold.map((build) => build.imageId));
  const warmImages = new Set(warm.map((build) => build.imageId));
  const editsReachedImage = warmImages.size === warm.length && [...warmImages].every((id) => !coldImages.has(id));
  const scannedEntries = scan.layers.reduce((sum, layer) => sum + layer.entryCount, 0);

  const rows = [
    row("layers added to the base", `${addedMegabytes.toFixed(2)} MB in ${sizes.addedLayerCount} layers`, `<= ${maxAddedMegabytes} MB`, addedMegabytes <= maxAddedMegabytes),
    row("base image", `${(sizes.baseBytes / 1e6).toFixed(1)} MB (${input.runtimeImage})`, "for comparison", undefined),
    row(`cold build, --no-cache (median of ${cold.length})`, formatSeconds(cold.map((build) => build.seconds)), "npm ci runs", coldInstallsRan),
    row(`warm build (median of ${warm.length})`, formatSeconds(warm.map((build) => build.seconds)), "new image each time", editsReachedImage),
    row("rebuild without a change", `${input.unchanged.seconds.toFixed(2)} s`, "", undefined),
    row("warm / cold", `${(ratio * 100).toFixed(0)}%`, `<= ${maxWarmToColdRatio * 100}%`, ratio <= maxWarmToColdRatio),
    row(
      "dependency steps in warm builds",
      `npm ci CACHED in ${cachedInstalls}/${warm.length}, its whole stage in ${fullyCachedDependencies}/${warm.length}`,
      "all CACHED",
      fullyCachedDependencies === warm.length,
    ),
    row(
      `docker run to first 200 (median of ${startups.length}${input.pollFromStart ? ", polled from start" : ""})`,
      formatSeconds(firstOk),
      `< ${maxStartupSeconds} s`,
      median(firstOk) < maxStartupSeconds,
    ),
    row("of which docker run itself", `${median(runCommand).toFixed(2)} s`, "", undefined),
    row("user", `USER ${user.configured === "" ? "(none)" : user.configured}, process uid ${[...new Set(user.processUids)].join(", ")}`, "not root", !user.isRoot),
    row("layer, history and config scan", `${scan.findings.length} findings in ${scannedEntries} entries of ${scan.layers.length} layers`, "0 findings", scan.findings.length === 0),
  ];
  printTable(["figure", "value", "goal", "verdict"], rows);
}

// `met` is undefined for a figure without a goal.
function row(figure: string, value: string, goal: string, met: boolean | undefined): string[] {
  let verdict = "";
  if (met !== undefined) {
    verdict = met ? "met" : "MISSED";
  }
  return [figure, value, goal, verdict];
}

// Whether every step of the stage that runs npm ci, npm ci included, came from the cache.
function allDependencyStepsCached(build: TimedBuild): boolean {
  const install = findInstallStep(build.steps);
  if (install === undefined) {
    return false;
  }
  return cacheableSteps(build.steps, install.stage).every((step) => step.cached);
}

// The median and, for several values, the range: "2.10 s (1.95-2.40)".
function formatSeconds(values: number[]): string {
  const range = values.length > 1 ? ` (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})` : "";
  return `${median(values).toFixed(2)} s${range}`;
}

function formatStepTimes(steps: (BuildStep | undefined)[]): string {
  if (steps.every((step) => step?.cached === true)) {
    return "CACHED";
  }
  const seconds = steps.flatMap((step) => (step?.seconds === undefined || step.cached ? [] : [step.seconds]));
  const cachedCount = steps.filter((step) => step?.cached === true).length;
  const cachedNote = cachedCount > 0 ? ` (${cachedCount} CACHED)` : "";
  return seconds.length === 0 ? "-" : `${median(seconds).toFixed(1)} s${cachedNote}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function shorten(text: string, maxLength: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 3)}...`;
}
