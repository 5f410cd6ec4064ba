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
  cold: TimedBuild;
  warm: TimedBuild[];
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

export function printBuildSteps(cold: TimedBuild, warm: TimedBuild[]): void {
  console.log(`Dockerfile steps, seconds from BuildKit (warm: median of ${warm.length}, or CACHED):`);
  // FROM steps take no time, and stages with the same base share one FROM vertex.
  const rows = cold.steps
    .filter((step) => step.stage !== "internal" && !step.name.startsWith("FROM "))
    .map((step) => {
      const warmSteps = warm.map((build) => build.steps.find((candidate) => candidate.stage === step.stage && candidate.name === step.name));
      return [step.stage, shorten(step.name, 60), formatStepTime(step), formatWarmStepTime(warmSteps)];
    });
  printTable(["stage", "step", "cold", "warm"], rows);
  const installLog = findInstallStep(cold.steps)?.logs.find((line) => /added \d+ packages/.test(line));
  if (installLog !== undefined) {
    console.log(`npm ci in the cold build: ${installLog.trim()}`);
  }
  console.log("");
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
  const warmSeconds = median(warm.map((build) => build.seconds));
  const ratio = warmSeconds / cold.seconds;
  const firstOk = startups.map((run) => run.firstOkSeconds);
  const runCommand = startups.map((run) => run.runCommandSeconds);
  const cachedInstalls = warm.filter((build) => findInstallStep(build.steps)?.cached === true).length;
  const dependencySteps = warm.map(countCachedDependencySteps);
  const coldInstall = findInstallStep(cold.steps);
  const distinctImages = new Set([cold.imageId, ...warm.map((build) => build.imageId)]).size;
  const scannedEntries = scan.layers.reduce((sum, layer) => sum + layer.entryCount, 0);

  const rows = [
    row("layers added to the base", `${addedMegabytes.toFixed(2)} MB in ${sizes.addedLayerCount} layers`, `<= ${maxAddedMegabytes} MB`, addedMegabytes <= maxAddedMegabytes),
    row("base image", `${(sizes.baseBytes / 1e6).toFixed(1)} MB (${input.runtimeImage})`, "for comparison", undefined),
    row("cold build (--no-cache)", `${cold.seconds.toFixed(2)} s`, "npm ci not CACHED", coldInstall !== undefined && !coldInstall.cached),
    row(`warm build (median of ${warm.length})`, `${warmSeconds.toFixed(2)} s`, "the change reaches the image", distinctImages === warm.length + 1),
    row("warm / cold", `${(ratio * 100).toFixed(0)}%`, `<= ${maxWarmToColdRatio * 100}%`, ratio <= maxWarmToColdRatio),
    row(
      "dependency steps in warm builds",
      `npm ci CACHED in ${cachedInstalls}/${warm.length}; ${dependencySteps.map((count) => `${count.cached}/${count.total}`).join(", ")} steps CACHED`,
      "all CACHED",
      cachedInstalls === warm.length && dependencySteps.every((count) => count.total > 0 && count.cached === count.total),
    ),
    row(
      `docker run to first 200 (median of ${startups.length}${input.pollFromStart ? ", polled from start" : ""})`,
      `${median(firstOk).toFixed(2)} s (${Math.min(...firstOk).toFixed(2)}-${Math.max(...firstOk).toFixed(2)})`,
      `< ${maxStartupSeconds} s`,
      median(firstOk) < maxStartupSeconds,
    ),
    row("  of which docker run itself", `${median(runCommand).toFixed(2)} s`, "", undefined),
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

function countCachedDependencySteps(build: TimedBuild): { cached: number; total: number } {
  const install = findInstallStep(build.steps);
  if (install === undefined) {
    return { cached: 0, total: 0 };
  }
  const steps = cacheableSteps(build.steps, install.stage);
  return { cached: steps.filter((step) => step.cached).length, total: steps.length };
}

function formatStepTime(step: BuildStep | undefined): string {
  if (step === undefined) {
    return "-";
  }
  if (step.cached) {
    return "CACHED";
  }
  return step.seconds === undefined ? "?" : `${step.seconds.toFixed(1)} s`;
}

function formatWarmStepTime(steps: (BuildStep | undefined)[]): string {
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
