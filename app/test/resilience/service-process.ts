import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { childEnvironment, repositoryRoot } from "../support/child-process.ts";
import { findFreePort } from "../support/free-port.ts";

export interface ServiceOptions {
  // APP_ variables on top of the cluster's, for example small timeouts.
  env: Record<string, string>;
  // Where the service's stdout and stderr go: "keep" stores the last chunks in memory, and
  // "ignore" sends them to /dev/null, so that a benchmark does not pay for reading them.
  output?: "keep" | "ignore";
  // Extra Node.js flags, for example ["--cpu-prof"].
  nodeFlags?: string[];
  // The entry point, relative to the repository root; the benchmarks also run their baseline.
  script?: string;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

const startupTimeoutMs = 15_000;
// USER_HZ, the unit of CPU times in /proc: 100 on x86-64 and arm64 Linux.
const clockTicksPerSecond = 100;

// The real service (`node app/src/server.ts`) as a child process on a free loopback port.
export class ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly exited: Promise<ServiceExit>;
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  #exit: ServiceExit | undefined;

  private constructor(port: number, options: ServiceOptions) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    const keep = (options.output ?? "keep") === "keep";
    this.#child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.script ?? "app/src/server.ts"], {
      cwd: repositoryRoot,
      env: childEnvironment({
        APP_APPLICATION__HOST: "127.0.0.1",
        APP_APPLICATION__PORT: String(port),
        ...options.env,
      }),
      stdio: ["ignore", keep ? "pipe" : "ignore", keep ? "pipe" : "ignore"],
    });
    this.#child.stdout?.on("data", (chunk: Buffer) => this.#record(chunk));
    this.#child.stderr?.on("data", (chunk: Buffer) => this.#record(chunk));
    this.exited = new Promise((resolve) => {
      this.#child.on("exit", (code, signal) => {
        this.#exit = { code, signal, at: Date.now() };
        resolve(this.#exit);
      });
    });
  }

  // Spawns the service and waits until its health check returns 200.
  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const service = new ServiceProcess(await findFreePort(), options);
    await service.#waitUntilHealthy();
    return service;
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) {
      throw new Error("The service process has no pid because it failed to spawn");
    }
    return pid;
  }

  get exitStatus(): ServiceExit | undefined {
    return this.#exit;
  }

  // The service's log so far (the last 2,000 chunks), for failure messages.
  output(): string {
    return this.#output.join("");
  }

  signal(name: NodeJS.Signals): void {
    this.#child.kill(name);
  }

  // Stops the service with SIGTERM and, if it is still running after timeoutMs, SIGKILL.
  async stop(timeoutMs = 10_000): Promise<ServiceExit> {
    if (this.#exit !== undefined) {
      return this.#exit;
    }
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  memory(): { peakResidentKiB: number; residentKiB: number } {
    return readMemory(this.pid);
  }

  // CPU time the process used so far (user plus system), in seconds, from /proc/<pid>/stat.
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, in USER_HZ ticks.
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  }

  async #waitUntilHealthy(): Promise<void> {
    const deadline = Date.now() + startupTimeoutMs;
    while (Date.now() < deadline) {
      if (this.#exit !== undefined) {
        throw new Error(`The service exited (code ${this.#exit.code}) before it became healthy:\n${this.output()}`);
      }
      try {
        const response = await fetch(`${this.url}/health_check`, { signal: AbortSignal.timeout(1000) });
        if (response.status === 200) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.signal("SIGKILL");
    throw new Error(`The service did not return 200 from its health check within ${startupTimeoutMs} ms:\n${this.output()}`);
  }

  #record(chunk: Buffer): void {
    this.#output.push(chunk.toString("utf8"));
    if (this.#output.length > 2000) {
      this.#output.splice(0, this.#output.length - 2000);
    }
  }
}

// Reads the peak and current resident memory of a process in kibibytes from
// /proc/<pid>/status (Linux only).
export function readMemory(pid: number): { peakResidentKiB: number; residentKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { peakResidentKiB: readKiB(status, "VmHWM"), residentKiB: readKiB(status, "VmRSS") };
}

function readKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) {
    throw new Error(`Failed to read ${field} from /proc/<pid>/status`);
  }
  return Number(match[1]);
}
