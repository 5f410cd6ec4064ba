import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");
const renderDiffCli = path.join(import.meta.dirname, "render-diff.ts");

function git(cwd: string, args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Render Test", "-c", "user.email=render@test.invalid", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

function renderDiff(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [renderDiffCli, ...args], { cwd, encoding: "utf8" });
}

// A clone of this repository's HEAD with one more commit that raises the production instance
// count, so the tests own their history and never touch the shared checkout's.
let clone: string;
let fullDiffFile: string;
let productionDiff: ReturnType<typeof renderDiff>;

beforeAll(() => {
  clone = path.join(mkdtempSync(path.join(tmpdir(), "render-diff-test-")), "repo");
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", repositoryRoot, clone]);
  const stackFile = path.join(clone, "Pulumi.production.yaml");
  const before = readFileSync(stackFile, "utf8");
  const after = before.replace(/^( {2}zero2prod:appInstanceCount:) \d+$/m, "$1 7");
  expect(after).not.toBe(before);
  writeFileSync(stackFile, after);
  git(clone, ["commit", "--quiet", "--all", "--message", "Raise the instance count"]);

  fullDiffFile = path.join(path.dirname(clone), "full.diff");
  productionDiff = renderDiff(clone, ["--base", "HEAD~1", "--head", "HEAD", "--out", fullDiffFile]);
}, 60_000);

afterAll(() => {
  rmSync(path.dirname(clone), { recursive: true, force: true });
});

describe("render:diff", () => {
  it("prints the changed lines as a marked diff comment", () => {
    const result = productionDiff;

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith("<!-- zero2prod:render-diff:production -->\n### Offline render diff of `production`\n")).toBe(true);
    expect(result.stdout).toContain("\n```diff\n--- base/production.yaml\n+++ head/production.yaml\n");
    expect(result.stdout).toMatch(/\n- {12}instanceCount: 2\n\+ {12}instanceCount: 7\n/);
    expect(result.stdout.trimEnd().endsWith("```")).toBe(true);
  });

  it("reports no changes between equal revisions", () => {
    const result = renderDiff(clone, ["--base", "HEAD", "--head", "HEAD"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No changes to the desired state.");
    expect(result.stdout).not.toContain("```diff");
  });

  it("diffs a review stack with its template", () => {
    const result = renderDiff(clone, ["--base", "HEAD~1", "--head", "HEAD", "--stack", "pr-7"]);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("<!-- zero2prod:render-diff:pr-7 -->");
    // The template sets one instance, so the production change does not reach the review stack.
    expect(result.stdout).not.toContain("instanceCount: 7");
  });

  it("writes the untrimmed diff with --out", () => {
    expect(readFileSync(fullDiffFile, "utf8").startsWith("--- base/production.yaml\n+++ head/production.yaml\n@@")).toBe(true);
  });

  it("removes its worktrees", () => {
    expect(git(clone, ["worktree", "list"]).split("\n")).toHaveLength(1);
  });

  it("rejects a stack that head cannot render", () => {
    const result = renderDiff(clone, ["--base", "HEAD", "--head", "HEAD", "--stack", "staging"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot render --stack staging at head HEAD: Pulumi.staging.yaml does not exist");
    expect(result.stderr).toContain("Use local, production or pr-<number>.");
  });

  it("rejects a revision that does not exist", () => {
    const result = renderDiff(clone, ["--base", "no-such-branch", "--head", "HEAD"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--base "no-such-branch" is not a commit in this repository');
  });
});
