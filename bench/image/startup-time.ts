import { randomBytes } from "node:crypto";
import { get } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort } from "../../app/test/support/free-port.ts";
import { runDocker } from "../../e2e/docker-engine.ts";

export interface StartupRun {
  // From starting `docker run --detach` until that command exits (the container is started).
  runCommandSeconds: number;
  // From starting `docker run --detach` until the first 200 from the health check.
  firstOkSeconds: number;
}

const containerPort = 8000;
const healthCheckPath = "/health_check";
const pollIntervalMs = 5;
const startupTimeoutMs = 30_000;

// Starts the image in production mode with a database host where no server listens (the
// health check does not touch the database) and times its first 200. The container is
// removed before this returns.
//
// Polling starts when `docker run` exits, unless `pollFromStart`. A connection to the published
// port before then reaches docker-proxy, which connects to the container's address before the
// container's interface is up. The host's ARP request for that address goes unanswered and the
// kernel repeats it only after net.ipv4.neigh.docker0.retrans_time_ms (1000 ms by default), so
// the first 200 comes about a second late (measured with Docker 20.10). That second belongs
// to the local network setup, not to the image.
//
// `whileRunning` is called with the container's name after the first 200, before the removal.
export async function measureStartup(
  image: string,
  containerName: string,
  pollFromStart: boolean,
  whileRunning?: (containerName: string) => Promise<void>,
): Promise<StartupRun> {
  // Another process could take the port before Docker binds it; `docker run` then fails with
  // "port is already allocated".
  const hostPort = await findFreePort();
  const args = [
    "run",
    "--detach",
    "--name",
    containerName,
    "--publish",
    `127.0.0.1:${hostPort}:${containerPort}`,
    "--env",
    "APP_DATABASE__HOST=127.0.0.1",
    "--env",
    "APP_DATABASE__REQUIRE_SSL=false",
    // A throwaway value: nothing listens on the database port.
    "--env",
    `APP_DATABASE__PASSWORD=${randomBytes(12).toString("hex")}`,
    image,
  ];

  try {
    const run = await timeFirstOk(args, hostPort, pollFromStart).catch(async (error: unknown) => {
      const logs = await runDocker(["logs", "--tail", "20", containerName], { includeStderr: true }).catch(() => "(no logs)");
      throw new Error(`Failed to start ${image} as ${containerName}: ${String(error)}\nThe container's last output lines:\n${logs}`, { cause: error });
    });
    await whileRunning?.(containerName);
    return run;
  } finally {
    await removeContainer(containerName);
  }
}

async function timeFirstOk(runArgs: string[], hostPort: number, pollFromStart: boolean): Promise<StartupRun> {
  // Stops the polling when `docker run` fails or the measurement ends.
  const polling = new AbortController();
  const started = performance.now();
  try {
    const runCommand = runDocker(runArgs).then(() => performance.now());
    runCommand.catch(() => polling.abort());
    if (!pollFromStart) {
      await runCommand;
    }
    const firstOk = pollUntilOk(hostPort, started, polling.signal);
    const [runCommandEnded, firstOkAt] = await Promise.all([runCommand, firstOk]);
    return { runCommandSeconds: (runCommandEnded - started) / 1000, firstOkSeconds: (firstOkAt - started) / 1000 };
  } finally {
    polling.abort();
  }
}

export async function removeContainer(name: string): Promise<void> {
  try {
    await runDocker(["rm", "--force", "--volumes", name]);
  } catch (error) {
    // `docker rm --force` of a container that was never created fails with "No such container".
    if (!(error instanceof Error && error.message.includes("No such container"))) {
      throw error;
    }
  }
}

// Returns the time of the first 200. Refused and reset connections are expected while the
// container starts: Docker's port proxy accepts connections before the service listens.
async function pollUntilOk(port: number, started: number, signal: AbortSignal): Promise<number> {
  while (performance.now() - started < startupTimeoutMs) {
    signal.throwIfAborted();
    const status = await requestStatus(port).catch(() => undefined);
    if (status === 200) {
      return performance.now();
    }
    await sleep(pollIntervalMs);
  }
  throw new Error(`Timed out after ${startupTimeoutMs / 1000}s waiting for a 200 from http://127.0.0.1:${port}${healthCheckPath}`);
}

function requestStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = get({ host: "127.0.0.1", port, path: healthCheckPath, agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on("timeout", () => request.destroy(new Error("request timed out")));
    request.on("error", reject);
  });
}
