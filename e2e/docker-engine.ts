import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { request } from "node:http";

// Debian's client: the newer client some machines carry in /usr/local/bin has no buildx and
// rejects DOCKER_BUILDKIT=1 (the same choice as scripts/docker/common.sh).
export const dockerCli = process.env.DOCKER ?? (existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker");

// Engine API 1.41 is Docker 20.10's; later engines still serve it.
const apiVersion = "v1.41";

export class EngineError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "EngineError";
    this.status = status;
  }
}

// A client of the Docker Engine API on its unix socket. Containers are created through the API
// and not the CLI because `docker run --health-cmd` cannot express an exec-form health check.
export class DockerEngine {
  readonly socketPath: string;

  constructor(socketPath = engineSocketPath()) {
    this.socketPath = socketPath;
  }

  // Sends one request and returns the parsed JSON body, or undefined for an empty one.
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(
        {
          socketPath: this.socketPath,
          method,
          path: `/${apiVersion}${path}`,
          headers: payload === undefined ? {} : { "content-type": "application/json" },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
          response.on("error", reject);
        },
      );
      outgoing.on("error", (error) =>
        reject(new Error(`Failed to reach the Docker engine at ${this.socketPath}: ${error.message}. Start one with scripts/docker/engine.sh start.`)),
      );
      outgoing.end(payload);
    });

    if (status >= 400) {
      const message = (parseJson(text) as { message?: string } | undefined)?.message ?? text;
      throw new EngineError(`${method} ${path} failed with ${status}: ${message}`, status);
    }
    return parseJson(text) as T;
  }

  // Like call, but treats 404 (already gone) as success; for cleanup.
  async remove(path: string): Promise<void> {
    try {
      await this.call("DELETE", path);
    } catch (error) {
      if (!(error instanceof EngineError && error.status === 404)) {
        throw error;
      }
    }
  }
}

// DOCKER_HOST when it names a unix socket, else the engine's default socket.
export function engineSocketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host === undefined || host === "") {
    return "/var/run/docker.sock";
  }
  if (!host.startsWith("unix://")) {
    throw new Error(`DOCKER_HOST=${host} is not a unix socket; the end-to-end check talks to a local engine only. Unset DOCKER_HOST or set it to unix:///path/to/docker.sock.`);
  }
  return host.slice("unix://".length);
}

export interface CliOptions {
  // Written to the command's standard input.
  input?: string;
  // Returns standard error after standard output, as `docker logs` splits a container's streams.
  includeStderr?: boolean;
}

// Runs the docker CLI with BuildKit enabled and returns its standard output; a non-zero exit
// raises an error that contains the end of its output.
export async function runDocker(args: string[], options: CliOptions = {}): Promise<string> {
  const child = spawn(dockerCli, args, {
    env: { ...process.env, DOCKER_BUILDKIT: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? "");

  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (exitCode !== 0) {
    const output = `${stdout}${stderr}`.trimEnd().split("\n").slice(-40).join("\n");
    throw new Error(`\`docker ${args[0]}\` exited with ${exitCode}:\n${output}`);
  }
  return options.includeStderr === true ? `${stdout}${stderr}` : stdout;
}

function parseJson(text: string): unknown {
  return text.trim() === "" ? undefined : JSON.parse(text);
}
