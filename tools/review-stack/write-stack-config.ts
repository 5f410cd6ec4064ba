// Writes Pulumi.<stack>.yaml for a review stack, from Pulumi.production.yaml and the review
// template, in the repository root (or --root).
//
//   node tools/review-stack/write-stack-config.ts --stack pr-12
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { buildReviewStackFile, templatePath } from "./review-config.ts";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");

runCli(() => {
  const options = parseOptions("write-stack-config", { stack: { type: "string" }, root: { type: "string" } }, ["stack"]);
  const root = path.resolve(options.root ?? repositoryRoot);
  const stack = options.stack as string;

  const stackFile = buildReviewStackFile(
    readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"),
    readFileSync(path.join(root, templatePath), "utf8"),
    stack,
  );

  const target = path.join(root, `Pulumi.${stack}.yaml`);
  writeFileSync(target, stackFile);
  process.stdout.write(`write-stack-config: wrote ${target}\n${stackFile}`);
});
