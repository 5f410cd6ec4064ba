// Posts a comment on a pull request, or edits the workflow's earlier comment with the same
// marker, through the GitHub CLI (`gh api`, authenticated by GH_TOKEN).
//
//   node tools/pr-comment/upsert-comment.ts --repo owner/name --pr 12 \
//     --marker zero2prod:preview:production --body-file comment.md
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { markerLine } from "./comment-body.ts";
import { findMarkedComment, type IssueComment } from "./find-comment.ts";

const command = "upsert-comment";
const execFileAsync = promisify(execFile);

async function gh(args: string[], input?: string): Promise<string> {
  const child = execFileAsync("gh", args, { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

// `gh api --paginate --jq '.[] | @json'` prints one comment per line, every page included.
async function listComments(repo: string, pullRequest: number): Promise<IssueComment[]> {
  const output = await gh(["api", "--paginate", "--jq", ".[] | @json", `repos/${repo}/issues/${pullRequest}/comments`]);
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as IssueComment);
}

runCli(async () => {
  const options = parseOptions(
    command,
    {
      repo: { type: "string" },
      pr: { type: "string" },
      marker: { type: "string" },
      "body-file": { type: "string" },
      author: { type: "string" },
    },
    ["repo", "pr", "marker", "body-file"],
  );

  const repo = options.repo as string;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new Error(`${command}: --repo ${JSON.stringify(repo)} is invalid: give owner/name, as in GITHUB_REPOSITORY`);
  }
  const pullRequest = Number(options.pr);
  if (!Number.isSafeInteger(pullRequest) || pullRequest < 1) {
    throw new Error(`${command}: --pr ${JSON.stringify(options.pr)} is invalid: give the pull request number`);
  }

  const marker = options.marker as string;
  const body = readFileSync(options["body-file"] as string, "utf8");
  if (!body.startsWith(`${markerLine(marker)}\n`)) {
    throw new Error(
      `${command}: ${options["body-file"]} does not start with the marker line ${markerLine(marker)}: build it with build-comment.ts and the same --marker`,
    );
  }

  const existing = findMarkedComment(await listComments(repo, pullRequest), marker, options.author);
  const request = JSON.stringify({ body });
  const response =
    existing === undefined
      ? await gh(["api", "--method", "POST", `repos/${repo}/issues/${pullRequest}/comments`, "--input", "-"], request)
      : await gh(["api", "--method", "PATCH", `repos/${repo}/issues/comments/${existing.id}`, "--input", "-"], request);

  const saved = JSON.parse(response) as { id: number; html_url?: string };
  const action = existing === undefined ? "posted" : "edited";
  process.stdout.write(`${command}: ${action} comment ${saved.id} ${saved.html_url ?? ""}\n`);
});
