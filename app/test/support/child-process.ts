import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// The repository root: child processes start there, so loadSettings() finds
// configuration/ as it does in the image's WORKDIR.
export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// The environment for a child: PATH and the given variables only, so no APP_
// or PG variable of the caller leaks in.
export function childEnvironment(variables: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", ...variables };
}

// Runs `node <args>` with this process's Node.js and collects its output.
export function runNode(
  args: string[],
  variables: Record<string, string>,
  cwd = repositoryRoot,
): Promise<ProcessResult> {
  return collect(spawnNode(args, variables, cwd));
}

export function spawnNode(args: string[], variables: Record<string, string>, cwd = repositoryRoot): ChildProcess {
  return spawn(process.execPath, args, { cwd, env: childEnvironment(variables), stdio: ["ignore", "pipe", "pipe"] });
}

export function collect(child: ChildProcess): Promise<ProcessResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// Parses the JSON log lines of a process's output, skipping anything else.
export function parseLogLines(output: string): { level: number; msg: string; [key: string]: unknown }[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}
