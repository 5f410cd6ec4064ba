// Prints the review stack name for a pull request number, or fails on anything else.
//
//   node tools/review-stack/print-stack-name.ts "$PR_NUMBER"    # prints pr-12
import { runCli } from "../cli/run-cli.ts";
import { reviewStackName } from "./stack-name.ts";

runCli(() => {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    throw new Error(`print-stack-name: expected one argument, the pull request number, but got ${args.length}`);
  }
  process.stdout.write(`${reviewStackName(args[0] as string)}\n`);
});
