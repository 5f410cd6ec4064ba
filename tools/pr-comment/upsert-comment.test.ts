import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const cli = path.join(import.meta.dirname, "upsert-comment.ts");
const marker = "zero2prod:preview:production";

interface StoredComment {
  id: number;
  body: string;
  user: { login: string };
}

// A stand-in `gh` that keeps comments in a JSON file and serves the three `gh api` calls the
// CLI makes: list (with --paginate and --jq), POST and PATCH.
const fakeGhSource = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const stateFile = process.env.FAKE_GH_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
fs.appendFileSync(stateFile + ".calls", args.join(" ") + "\\n");
const method = args.includes("--method") ? args[args.indexOf("--method") + 1] : "GET";
if (method === "GET") {
  for (const comment of state.comments) process.stdout.write(JSON.stringify(comment) + "\\n");
  process.exit(0);
}
const input = JSON.parse(fs.readFileSync(0, "utf8"));
let comment;
if (method === "POST") {
  comment = { id: state.nextId++, body: input.body, user: { login: "github-actions[bot]" } };
  state.comments.push(comment);
} else {
  const id = Number(args.find((arg) => arg.startsWith("repos/")).split("/").pop());
  comment = state.comments.find((item) => item.id === id);
  comment.body = input.body;
}
fs.writeFileSync(stateFile, JSON.stringify(state));
process.stdout.write(JSON.stringify({ ...comment, html_url: "https://github.test/c/" + comment.id }));
`;

function setup(comments: StoredComment[]) {
  const folder = mkdtempSync(path.join(tmpdir(), "fake-gh-"));
  const ghPath = path.join(folder, "gh");
  writeFileSync(ghPath, fakeGhSource);
  chmodSync(ghPath, 0o755);
  const stateFile = path.join(folder, "state.json");
  writeFileSync(stateFile, JSON.stringify({ nextId: 100, comments }));

  const run = (body: string, extraArgs: string[] = []) => {
    const bodyFile = path.join(folder, "body.md");
    writeFileSync(bodyFile, body);
    return spawnSync(
      process.execPath,
      [cli, "--repo", "acme/zero2prod", "--pr", "12", "--marker", marker, "--body-file", bodyFile, ...extraArgs],
      {
        encoding: "utf8",
        env: { ...process.env, FAKE_GH_STATE: stateFile, PATH: `${folder}:${path.dirname(process.execPath)}:/usr/bin:/bin` },
      },
    );
  };
  const storedComments = () => (JSON.parse(readFileSync(stateFile, "utf8")) as { comments: StoredComment[] }).comments;
  const calls = () => readFileSync(`${stateFile}.calls`, "utf8").trim().split("\n");
  return { run, comments: storedComments, calls };
}

describe("upsert-comment CLI", () => {
  it("posts a new comment when none has the marker", () => {
    const gh = setup([{ id: 1, body: "LGTM", user: { login: "octocat" } }]);

    const result = gh.run(`<!-- ${marker} -->\nfirst`);

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("posted comment 100");
    expect(gh.comments().map((comment) => comment.body)).toEqual(["LGTM", `<!-- ${marker} -->\nfirst`]);
    expect(gh.calls()[0]).toBe("api --paginate --jq .[] | @json repos/acme/zero2prod/issues/12/comments");
    expect(gh.calls()[1]).toBe("api --method POST repos/acme/zero2prod/issues/12/comments --input -");
  });

  it("edits the earlier comment in place on the next run", () => {
    const gh = setup([
      { id: 1, body: "LGTM", user: { login: "octocat" } },
      { id: 7, body: `<!-- ${marker} -->\nold`, user: { login: "github-actions[bot]" } },
    ]);

    const result = gh.run(`<!-- ${marker} -->\nnew`);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("edited comment 7");
    expect(gh.comments()).toHaveLength(2);
    expect(gh.comments()[1]?.body).toBe(`<!-- ${marker} -->\nnew`);
    expect(gh.calls()[1]).toBe("api --method PATCH repos/acme/zero2prod/issues/comments/7 --input -");
  });

  it("rejects a body without the marker line", () => {
    const gh = setup([]);

    const result = gh.run("no marker here");

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`does not start with the marker line <!-- ${marker} -->`);
  });

  it("rejects an invalid pull request number", () => {
    const gh = setup([]);

    const result = gh.run(`<!-- ${marker} -->\nx`, ["--pr", "12abc"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--pr "12abc" is invalid');
  });
});
