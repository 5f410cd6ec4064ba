// Peak memory of the production bundle under load inside a container with a memory
// limit, as on an App Platform instance. Node.js sizes V8's heap from the container's
// limit, so a figure measured on a large host overstates what a small instance uses.
// Usage: node bench/container-memory.ts [--memory 512m] [--seconds 5] [--log-level info]
//   [--target service|baseline]
// Needs Docker and a local node:24-bookworm-slim image. The container shares the host's
// network namespace, so its traffic stays on 127.0.0.1.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import autocannon, { type Request } from "autocannon";
import { PostgresCluster } from "../app/test/resilience/postgres-cluster.ts";
import { readMemory } from "../app/test/resilience/service-process.ts";
import { repositoryRoot } from "../app/test/support/child-process.ts";
import { findFreePort } from "../app/test/support/free-port.ts";
import { waitFor } from "../app/test/support/wait-for.ts";
import { formatMegabytes, positiveInteger, printTable } from "./report.ts";
import { formBody, formHeaders } from "./subscriptions.ts";

const run = promisify(execFile);
const docker = "/usr/bin/docker";

const { values: options } = parseArgs({
  options: {
    memory: { type: "string", default: "512m" },
    seconds: { type: "string", default: "5" },
    "log-level": { type: "string", default: "info" },
    image: { type: "string", default: "node:24-bookworm-slim" },
    // "baseline" runs bench/baseline.ts from the mounted repository, with type stripping.
    target: { type: "string", default: "service" },
    // Passed to the container as NODE_OPTIONS, such as --max-semi-space-size=4.
    "node-options": { type: "string", default: "" },
  },
});
const seconds = positiveInteger(options.seconds, "--seconds");
if (options.target !== "service" && options.target !== "baseline") {
  throw new Error(`--target must be service or baseline, got ${JSON.stringify(options.target)}`);
}

const bundleDirectory = mkdtempSync(path.join(tmpdir(), "newsletter-bundle-"));
await run("npm", ["run", "build", "--workspace", "app", "--", `--outdir=${bundleDirectory}`, "--log-level=warning"], { cwd: repositoryRoot });
const cluster = await PostgresCluster.startMigrated();
const port = await findFreePort();
const container = `newsletter-memory-bench-${process.pid}`;

try {
  const env = {
    ...cluster.serviceEnv(),
    APP_APPLICATION__HOST: "127.0.0.1",
    APP_APPLICATION__PORT: String(port),
    APP_APPLICATION__LOG_LEVEL: options["log-level"],
    ...(options["node-options"] !== "" && { NODE_OPTIONS: options["node-options"] }),
  };
  // The service gets the image's layout: the bundle in /app/dist and the configuration
  // files beside it. The baseline runs from the repository, which has its node_modules.
  const mounts =
    options.target === "service"
      ? ["-v", `${bundleDirectory}:/app/dist:ro`, "-v", `${path.join(repositoryRoot, "configuration")}:/app/configuration:ro`, "-w", "/app"]
      : ["-v", `${repositoryRoot}:/repository:ro`, "-w", "/repository"];
  const command = options.target === "service" ? ["node", "dist/server.js"] : ["node", "bench/baseline.ts"];
  const dockerRun = [
    "run", "--rm", "--name", container, `--memory=${options.memory}`, "--network", "host",
    ...mounts,
    ...Object.entries(env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
    options.image, ...command,
  ];
  spawn(docker, dockerRun, { stdio: "ignore" });

  const url = `http://127.0.0.1:${port}`;
  await waitFor("the service in the container to pass its health check", async () => {
    const response = await fetch(`${url}/health_check`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  }, 20_000);
  const { stdout } = await run(docker, ["inspect", "--format", "{{.State.Pid}}", container]);
  const pid = Number(stdout.trim());

  const rows = [["idle", "", "", formatMegabytes(readMemory(pid).peakResidentKiB)]];
  let counter = 0;
  const routes: Array<[string, Request]> = [
    ["GET /health_check", { method: "GET", path: "/health_check" }],
    [
      "POST /subscriptions",
      {
        method: "POST",
        path: "/subscriptions",
        headers: { ...formHeaders },
        setupRequest: (request) => {
          counter += 1;
          return { ...request, body: formBody("Zoë Ångström", `container-${counter}@bench.example.com`) };
        },
      },
    ],
  ];
  for (const [label, request] of routes) {
    const result = await autocannon({ url, connections: 50, duration: seconds, requests: [request] });
    const rate = (result.latency.totalCount / result.duration).toFixed(0);
    rows.push([label, rate, String(result.latency.p99), formatMegabytes(readMemory(pid).peakResidentKiB)]);
  }

  const measured = options.target === "service" ? "Production bundle" : "Baseline (node bench/baseline.ts)";
  console.log(`${measured} in ${options.image} with --memory=${options.memory}, log level ${options["log-level"]}, 50 connections for ${seconds} s per route:`);
  printTable(["after", "requests/s", "p99 ms", "peak resident (VmHWM)"], rows);
} finally {
  await run(docker, ["stop", container]).catch(() => undefined);
  await cluster.destroy();
  rmSync(bundleDirectory, { recursive: true, force: true });
}
