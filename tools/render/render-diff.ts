// Renders one stack at two git revisions and prints a unified diff of the two renders as a
// pull-request comment body: a fenced diff block trimmed to GitHub's comment size limit.
//
//   npm run render:diff -- --base origin/main --head HEAD [--stack production] [--out full.diff]
//
// The revisions come from the git repository of the working directory. Each one is checked out
// with `git worktree add` into a temporary folder that reuses this checkout's node_modules
// through a symlink, and is rendered by this checkout's render.ts in its own process. --out
// also writes the untrimmed diff to a file.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { buildCommentBody } from "../pr-comment/comment-body.ts";
import { isReviewStackName } from "../review-stack/stack-name.ts";

const command = "render:diff";
const toolRoot = path.resolve(import.meta.dirname, "../..");
const renderCli = path.join(import.meta.dirname, "render.ts");
// node_modules folders that npm workspaces may create; each one present here is linked.
const dependencyFolders = ["node_modules", "app/node_modules", "infra/node_modules"];

interface Revision {
  label: "base" | "head";
  requested: string;
  commit: string;
}

function git(args: string[], cwd = process.cwd()): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function resolveRevision(label: Revision["label"], requested: string): Revision {
  try {
    return { label, requested, commit: git(["rev-parse", "--verify", "--end-of-options", `${requested}^{commit}`]) };
  } catch {
    throw new Error(`${command}: --${label} ${JSON.stringify(requested)} is not a commit in this repository: fetch it or give a commit, branch or tag`);
  }
}

// Returns why the checkout cannot be rendered for the stack, or undefined when it can. A
// revision from before the offline render or the stack existed renders as empty.
function missingPiece(checkout: string, stack: string): string | undefined {
  const stackFile = isReviewStackName(stack) ? "Pulumi.production.yaml" : `Pulumi.${stack}.yaml`;
  for (const file of ["infra/index.ts", "infra/testing/capture.ts", "Pulumi.yaml", stackFile]) {
    if (!existsSync(path.join(checkout, file))) {
      return `${file} does not exist`;
    }
  }
  return undefined;
}

// Renders the stack at one revision into `<folder>/<label>/<stack>.yaml` and returns a note
// when the revision had nothing to render.
function renderRevision(revision: Revision, stack: string, folder: string): string | undefined {
  const checkout = path.join(folder, `${revision.label}-checkout`);
  const output = path.join(folder, revision.label, `${stack}.yaml`);
  mkdirSync(path.dirname(output), { recursive: true });

  git(["worktree", "add", "--detach", "--quiet", checkout, revision.commit]);
  try {
    for (const dependencies of dependencyFolders) {
      if (existsSync(path.join(toolRoot, dependencies)) && existsSync(path.dirname(path.join(checkout, dependencies)))) {
        symlinkSync(path.join(toolRoot, dependencies), path.join(checkout, dependencies), "dir");
      }
    }

    const missing = missingPiece(checkout, stack);
    if (missing !== undefined && revision.label === "head") {
      // A stack that the head revision cannot render is a typo or a wrong revision, not a change.
      throw new Error(
        `${command}: cannot render --stack ${stack} at head ${revision.requested}: ${missing}. Use local, production or pr-<number>.`,
      );
    }
    if (missing !== undefined) {
      writeFileSync(output, "");
      return `At ${revision.label} (${revision.commit.slice(0, 12)}) ${missing}, so it renders as empty.`;
    }

    // Without GITHUB_SHA the program tags the image with the checkout's own commit, as a
    // deployment of that revision would.
    const env = { ...process.env };
    delete env.GITHUB_SHA;
    const result = spawnSync(process.execPath, [renderCli, "--stack", stack, "--root", checkout, "--out", output], {
      cwd: checkout,
      env,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(
        `${command}: failed to render ${stack} at ${revision.label} ${revision.requested} (${revision.commit.slice(0, 12)}):\n${result.stderr.trim()}`,
      );
    }
    return undefined;
  } finally {
    git(["worktree", "remove", "--force", checkout]);
  }
}

// `git diff --no-index` works outside a repository and prints a unified diff; exit code 1
// means the files differ. The header lines before "---" (diff --git, index) are dropped.
function unifiedDiff(folder: string, stack: string): string {
  const result = spawnSync(
    "git",
    ["diff", "--no-index", "--no-color", "--no-prefix", "--", `base/${stack}.yaml`, `head/${stack}.yaml`],
    { cwd: folder, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command}: git diff failed: ${result.stderr.trim()}`);
  }
  const start = result.stdout.indexOf("\n--- ");
  return start === -1 ? result.stdout : result.stdout.slice(start + 1);
}

runCli(() => {
  const options = parseOptions(
    command,
    {
      base: { type: "string" },
      head: { type: "string" },
      stack: { type: "string", default: "production" },
      marker: { type: "string" },
      out: { type: "string" },
      "full-output-hint": { type: "string" },
    },
    ["base", "head"],
  );
  const stack = options.stack as string;
  const base = resolveRevision("base", options.base as string);
  const head = resolveRevision("head", options.head as string);

  const folder = mkdtempSync(path.join(tmpdir(), "render-diff-"));
  let diff: string;
  let notes: string[];
  try {
    notes = [renderRevision(base, stack, folder), renderRevision(head, stack, folder)].filter((note): note is string => note !== undefined);
    diff = unifiedDiff(folder, stack);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    git(["worktree", "prune"]);
  }

  if (options.out !== undefined) {
    writeFileSync(options.out, diff);
  }

  const short = (revision: Revision) => `\`${revision.requested}\` (${revision.commit.slice(0, 12)})`;
  const heading = [
    `### Offline render diff of \`${stack}\``,
    "",
    `Base ${short(base)}, head ${short(head)}. Evaluated under Pulumi mocks without the engine or credentials: values that providers compute are stand-ins and secrets show as [secret].`,
    ...notes.map((note) => `\n${note}`),
  ].join("\n");

  const { body } = buildCommentBody({
    marker: options.marker ?? `zero2prod:render-diff:${stack}`,
    heading: diff === "" ? `${heading}\n\nNo changes to the desired state.` : heading,
    output:
      diff === ""
        ? undefined
        : {
            text: diff,
            language: "diff",
            fullOutputHint:
              options["full-output-hint"] ??
              `the output of \`npm run render:diff -- --base ${base.commit.slice(0, 12)} --head ${head.commit.slice(0, 12)} --stack ${stack}\``,
          },
  });
  process.stdout.write(body);
});
