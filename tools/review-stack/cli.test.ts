import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

function run(script: string, args: string[]) {
  return spawnSync(process.execPath, [path.join(import.meta.dirname, script), ...args], { encoding: "utf8" });
}

describe("print-stack-name CLI", () => {
  it("prints the review stack name", () => {
    const result = run("print-stack-name.ts", ["12"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe("pr-12\n");
  });

  it("fails on a value that is not a pull request number", () => {
    const result = run("print-stack-name.ts", ["production"]);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('Invalid pull request number "production"');
  });

  it("fails without an argument", () => {
    const result = run("print-stack-name.ts", []);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("expected one argument");
  });
});

describe("choose-stale-stacks CLI", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "stale-stacks-"));
  const day = 24 * 60 * 60 * 1000;
  const stacksFile = path.join(folder, "stacks.json");
  const openFile = path.join(folder, "open.txt");
  writeFileSync(
    stacksFile,
    JSON.stringify([
      { name: "production", current: false, lastUpdate: new Date(Date.now() - 90 * day).toISOString() },
      { name: "pr-4", current: false, lastUpdate: new Date(Date.now() - 1 * day).toISOString() },
      { name: "pr-5", current: false, lastUpdate: new Date(Date.now() - 1 * day).toISOString() },
      { name: "pr-6", current: false, lastUpdate: new Date(Date.now() - 30 * day).toISOString() },
    ]),
  );
  writeFileSync(openFile, "4\n6\n");

  it("prints closed and old review stacks as JSON", () => {
    const result = run("choose-stale-stacks.ts", [
      "--stacks", stacksFile, "--open-pull-requests", openFile, "--max-age-days", "7",
    ]);

    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["pr-5", "pr-6"]);
    expect(result.stderr).toContain("pr-5: pull request #5 is closed");
    expect(result.stderr).toMatch(/pr-6: last updated .*, 30 days ago, more than the maximum of 7/);
  });

  it("keeps open stacks under a longer maximum age", () => {
    const result = run("choose-stale-stacks.ts", [
      "--stacks", stacksFile, "--open-pull-requests", openFile, "--max-age-days", "60",
    ]);

    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["pr-5"]);
  });

  it("rejects a maximum age that is not a number", () => {
    const result = run("choose-stale-stacks.ts", [
      "--stacks", stacksFile, "--open-pull-requests", openFile, "--max-age-days", "a week",
    ]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--max-age-days "a week" is invalid');
  });

  it("rejects a pull request list with other text", () => {
    const badOpenFile = path.join(folder, "bad-open.txt");
    writeFileSync(badOpenFile, "4\nnull\n");

    const result = run("choose-stale-stacks.ts", [
      "--stacks", stacksFile, "--open-pull-requests", badOpenFile, "--max-age-days", "7",
    ]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('contains "null", which is not a pull request number');
  });
});
