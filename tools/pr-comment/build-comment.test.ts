import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const cli = path.join(import.meta.dirname, "build-comment.ts");

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

describe("build-comment CLI", () => {
  it("writes the marker, heading and output without color codes", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "build-comment-"));
    const outputFile = path.join(folder, "preview.txt");
    const out = path.join(folder, "comment.md");
    writeFileSync(outputFile, "\u001b[32m+ create\u001b[0m\n");

    const result = run([
      "--marker", "zero2prod:preview:production",
      "--heading", "### Preview",
      "--output-file", outputFile,
      "--language", "diff",
      "--full-output-hint", "the job log",
      "--out", out,
    ]);

    expect(result.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("<!-- zero2prod:preview:production -->\n### Preview\n\n```diff\n+ create\n```\n");
  });

  it("asks for the hint when an output file is given", () => {
    const result = run(["--marker", "m", "--heading", "h", "--output-file", "x.txt", "--out", "y.md"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--output-file needs --full-output-hint");
  });

  it("names a missing option", () => {
    const result = run(["--heading", "h", "--out", "y.md"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the option --marker is missing");
  });
});
