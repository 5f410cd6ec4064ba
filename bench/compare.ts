// Service against baseline: the same routes, connections and duration on the same
// machine, in alternating runs, with requests/s, p99 and their ratios.
// Usage: node bench/compare.ts [--seconds 4] [--rounds 5] [--connections 50] [--cpu-prof DIR]
//   [--bundle | --service-script PATH] [--log-level LEVEL] [--service-node-flag FLAG ...]
// Exits 1 when a measured request fails. A missed goal is printed but is not an error.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import autocannon, { type Request, type Result } from "autocannon";
import { PostgresCluster } from "../app/test/resilience/postgres-cluster.ts";
import { ServiceProcess } from "../app/test/resilience/service-process.ts";
import { repositoryRoot } from "../app/test/support/child-process.ts";
import { formatMegabytes, megabytesOf, positiveInteger, printTable } from "./report.ts";
import { formBody, formHeaders, sampleNames } from "./subscriptions.ts";

const { values: options } = parseArgs({
  options: {
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
    "warmup-seconds": { type: "string", default: "2" },
    // Writes a V8 CPU profile of the service into this folder.
    "cpu-prof": { type: "string" },
    // Runs the production bundle (app's npm run build) instead of app/src/server.ts.
    bundle: { type: "boolean", default: false },
    // Runs this entry point as the service, for example a patched copy of app/src/server.ts.
    "service-script": { type: "string" },
    // Overrides the service's application.log_level, which is info by default.
    "log-level": { type: "string" },
    // Extra Node.js flags for the service only, for example --max-semi-space-size=16.
    "service-node-flag": { type: "string", multiple: true, default: [] },
  },
});

const seconds = positiveInteger(options.seconds, "--seconds");
const rounds = positiveInteger(options.rounds, "--rounds");
const connections = positiveInteger(options.connections, "--connections");
const warmupSeconds = positiveInteger(options["warmup-seconds"], "--warmup-seconds");

// Goals for the service relative to the baseline, and its memory ceiling under load.
const minThroughputRatio = 0.8;
const maxP99Ratio = 1.25;
const maxResidentMegabytes = 120;

interface Target {
  label: "service" | "baseline";
  process: ServiceProcess;
}

interface Route {
  label: string;
  request: () => Request;
}

interface Measurement {
  route: string;
  target: Target["label"];
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  // CPU time of the target process (user plus system) per completed request.
  cpuMicroseconds: number;
  failures: number;
}

let subscriptionCounter = 0;

const routes: Route[] = [
  { label: "GET /health_check", request: () => ({ method: "GET", path: "/health_check" }) },
  {
    label: "POST /subscriptions",
    request: () => ({
      method: "POST",
      path: "/subscriptions",
      headers: { ...formHeaders },
      // A new email on every request, so that each one inserts a row.
      setupRequest: (request) => {
        subscriptionCounter += 1;
        const name = sampleNames[subscriptionCounter % sampleNames.length] as string;
        return { ...request, body: formBody(name, `compare-${subscriptionCounter}@bench.example.com`) };
      },
    }),
  },
];

const bundleDirectory = options.bundle ? await buildBundle() : undefined;
const serviceScript =
  bundleDirectory === undefined ? (options["service-script"] ?? "app/src/server.ts") : path.join(bundleDirectory, "server.js");
const profileDirectory = options["cpu-prof"] === undefined ? undefined : path.resolve(options["cpu-prof"]);
if (profileDirectory !== undefined) {
  mkdirSync(profileDirectory, { recursive: true });
}
const serviceEnv: Record<string, string> = options["log-level"] === undefined ? {} : { APP_APPLICATION__LOG_LEVEL: options["log-level"] };
const serviceNodeFlags = [
  ...options["service-node-flag"],
  ...(profileDirectory === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDirectory}`]),
];

console.log(`Starting PostgreSQL, the service (node ${[...serviceNodeFlags, serviceScript].join(" ")}) and the baseline on 127.0.0.1 ...`);
// Both targets wait on the same database, so its commit flush only adds disk noise to
// the comparison of the HTTP layers. bench:load keeps PostgreSQL's durable default.
const cluster = await PostgresCluster.startMigrated({ postgresFlags: ["-c", "synchronous_commit=off"] }).catch((error: unknown) => {
  removeBundle();
  throw error;
});
const targets: Target[] = [];

let exitCode = 0;
try {
  targets.push({
    label: "service",
    process: await ServiceProcess.start({
      env: { ...cluster.serviceEnv(), ...serviceEnv },
      output: "ignore",
      script: serviceScript,
      nodeFlags: serviceNodeFlags,
    }),
  });
  targets.push({
    label: "baseline",
    process: await ServiceProcess.start({ env: cluster.serviceEnv(), output: "ignore", script: "bench/baseline.ts" }),
  });

  const measurements: Measurement[] = [];
  for (const route of routes) {
    for (const target of targets) {
      await measure(route, target, warmupSeconds);
    }
    for (let round = 1; round <= rounds; round++) {
      // Alternates which target goes first, so that neither always runs on a warmer machine.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const cpuBefore = target.process.cpuSeconds();
        const result = await measure(route, target, seconds);
        const cpuSeconds = target.process.cpuSeconds() - cpuBefore;
        measurements.push(toMeasurement(route, target, round, result, cpuSeconds));
      }
    }
  }

  printTable(
    ["route", "target", "round", "requests/s", "p50 ms", "p99 ms", "CPU µs/request", "failed"],
    measurements.map((m) => [
      m.route,
      m.target,
      String(m.round),
      m.requestsPerSecond.toFixed(0),
      String(m.p50),
      String(m.p99),
      m.cpuMicroseconds.toFixed(0),
      String(m.failures),
    ]),
  );
  console.log();
  const goals = summarise(measurements);
  goals.push(memoryGoal());

  for (const goal of goals) {
    console.log(`${goal.met ? "MET   " : "MISSED"}  ${goal.description}`);
  }
  if (measurements.some((m) => m.failures > 0)) {
    console.error("Some measured requests failed (connection errors, timeouts or non-2xx responses), so the figures are not comparable.");
    exitCode = 1;
  }
} finally {
  for (const target of targets) {
    await target.process.stop();
  }
  await cluster.destroy();
  removeBundle();
}
if (profileDirectory !== undefined) {
  console.log(`CPU profile of the service written to ${profileDirectory}`);
}
process.exit(exitCode);

// Builds the service with app's own build script into a temporary folder, so that
// app/dist stays as it is.
async function buildBundle(): Promise<string> {
  const directory = mkdtempSync(path.join(tmpdir(), "newsletter-bundle-"));
  const build = ["run", "build", "--workspace", "app", "--", `--outdir=${directory}`, "--log-level=warning"];
  await promisify(execFile)("npm", build, { cwd: repositoryRoot });
  return directory;
}

function removeBundle(): void {
  if (bundleDirectory !== undefined) {
    rmSync(bundleDirectory, { recursive: true, force: true });
  }
}

async function measure(route: Route, target: Target, duration: number): Promise<Result> {
  return autocannon({ url: target.process.url, connections, duration, requests: [route.request()] });
}

function toMeasurement(route: Route, target: Target, round: number, result: Result, cpuSeconds: number): Measurement {
  return {
    route: route.label,
    target: target.label,
    round,
    requestsPerSecond: result.latency.totalCount / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicroseconds: (cpuSeconds * 1e6) / result.latency.totalCount,
    failures: result.errors + result.non2xx,
  };
}

// Prints the medians per route and target and returns the goals they meet or miss.
function summarise(measurements: Measurement[]): Array<{ description: string; met: boolean }> {
  const goals: Array<{ description: string; met: boolean }> = [];
  const rows: string[][] = [];
  for (const route of routes) {
    const of = (target: Target["label"]) => measurements.filter((m) => m.route === route.label && m.target === target);
    const service = medians(of("service"));
    const baseline = medians(of("baseline"));
    const rateRatio = service.rate / baseline.rate;
    const p99Ratio = service.p99 / baseline.p99;
    rows.push([
      route.label,
      service.rate.toFixed(0),
      baseline.rate.toFixed(0),
      rateRatio.toFixed(2),
      String(service.p99),
      String(baseline.p99),
      p99Ratio.toFixed(2),
      service.cpu.toFixed(0),
      baseline.cpu.toFixed(0),
    ]);
    goals.push({
      description: `${route.label}: service throughput ${rateRatio.toFixed(2)} of the baseline's (goal at least ${minThroughputRatio})`,
      met: rateRatio >= minThroughputRatio,
    });
    goals.push({
      description: `${route.label}: service p99 ${p99Ratio.toFixed(2)} times the baseline's (goal at most ${maxP99Ratio})`,
      met: p99Ratio <= maxP99Ratio,
    });
  }
  console.log(`Medians of ${rounds} runs of ${seconds} s at ${connections} connections:`);
  printTable(
    ["route", "service req/s", "baseline req/s", "ratio", "service p99 ms", "baseline p99 ms", "ratio", "service CPU µs", "baseline CPU µs"],
    rows,
  );
  return goals;
}

function memoryGoal(): { description: string; met: boolean } {
  const [service, baseline] = targets.map((target) => target.process.memory());
  const peakMegabytes = megabytesOf(service?.peakResidentKiB ?? 0);
  console.log(
    `Peak resident memory (VmHWM): service ${formatMegabytes(service?.peakResidentKiB ?? 0)}, baseline ${formatMegabytes(baseline?.peakResidentKiB ?? 0)}`,
  );
  return {
    description: `service peak resident memory ${peakMegabytes.toFixed(1)} MB (goal under ${maxResidentMegabytes} MB)`,
    met: peakMegabytes < maxResidentMegabytes,
  };
}

function medians(of: Measurement[]): { rate: number; p99: number; cpu: number } {
  return {
    rate: median(of.map((m) => m.requestsPerSecond)),
    p99: median(of.map((m) => m.p99)),
    cpu: median(of.map((m) => m.cpuMicroseconds)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
