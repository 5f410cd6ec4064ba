import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const cli = path.join(import.meta.dirname, "lint-workflows.ts");

function lint(args: string[] = []) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

function rootWith(workflows: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "lint-workflows-"));
  mkdirSync(path.join(root, ".github/workflows"), { recursive: true });
  for (const [name, text] of Object.entries(workflows)) {
    writeFileSync(path.join(root, ".github/workflows", name), text);
  }
  return root;
}

describe("lint:workflows", () => {
  it("finds no problem in this repository's workflows", () => {
    const result = lint();

    expect(result.stdout).toMatch(/^lint:workflows: \d+ workflow files, 0 problems\n$/);
    expect(result.status).toBe(0);
  });

  it("reports a broken workflow with its line", () => {
    const root = rootWith({
      "ok.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n",
      "broken.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.missing.outputs.x }}\n",
    });

    const result = lint(["--root", root]);

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^\.github\/workflows\/broken\.yml:6:\d+: .*missing.*\[expression\]$/m);
    expect(result.stdout).toContain("lint:workflows: 2 workflow files, 1 problems");
  });

  it("fails when there is no workflow", () => {
    const result = lint(["--root", mkdtempSync(path.join(tmpdir(), "lint-workflows-"))]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no workflow files found");
  });
});
