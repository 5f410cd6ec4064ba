// Prints the desired state of a stack as stable YAML, evaluated offline under Pulumi mocks:
// no Pulumi CLI, engine or credentials.
//
//   npm run render -- --stack production
//   npm run render -- --stack pr-7 --out pr-7.yaml
//
// --root evaluates another checkout of this repository (render:diff uses it for worktrees).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { renderStack } from "./render-stack.ts";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");

runCli(async () => {
  const options = parseOptions(
    "render",
    { stack: { type: "string" }, root: { type: "string" }, out: { type: "string" } },
    ["stack"],
  );

  const rendered = await renderStack(path.resolve(options.root ?? repositoryRoot), options.stack as string);
  if (options.out === undefined) {
    process.stdout.write(rendered);
  } else {
    writeFileSync(options.out, rendered);
  }
});
