import type { ChildProcess } from "node:child_process";
import { collect, parseLogLines, repositoryRoot, spawnNode, type ProcessResult } from "./child-process.ts";
import { waitFor } from "./wait-for.ts";

export interface ServerProcess {
  process: ChildProcess;
  // Resolves when the process has exited.
  result: Promise<ProcessResult>;
  // The messages of the JSON log lines written to stdout so far.
  logMessages(): string[];
}

// Starts `node <script>` with the given APP_ variables and resolves once the
// server logs that it listens.
export async function startServerProcess(
  script: string,
  variables: Record<string, string>,
  cwd = repositoryRoot,
): Promise<ServerProcess> {
  const child = spawnNode([script], variables, cwd);
  const result = collect(child);

  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const logMessages = () => parseLogLines(stdout).map((line) => line.msg);

  await Promise.race([
    waitFor(
      "the server to listen",
      () => logMessages().some((message) => message.startsWith("Server listening")) || undefined,
    ),
    result.then((exit) => {
      throw new Error(`The server exited with code ${exit.code} before listening:\n${exit.stdout}${exit.stderr}`);
    }),
  ]);
  return { process: child, result, logMessages };
}

// Kills the process with SIGKILL unless it has already exited.
export function killIfRunning(child: ChildProcess | undefined): void {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
  }
}
