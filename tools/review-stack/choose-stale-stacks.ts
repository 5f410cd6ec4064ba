// Prints, as a JSON array on one line, the review stacks to destroy and remove, and each reason
// on stderr.
//
//   pulumi stack ls --json > stacks.json
//   gh api --paginate "repos/$REPO/pulls?state=open&per_page=100" --jq '.[].number' > open.txt
//   node tools/review-stack/choose-stale-stacks.ts --stacks stacks.json \
//     --open-pull-requests open.txt --max-age-days 7
import { readFileSync } from "node:fs";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { chooseStaleStacks, type ListedStack } from "./stale-stacks.ts";

const command = "choose-stale-stacks";

function readStacks(file: string): ListedStack[] {
  const listed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(listed) || !listed.every((stack) => typeof stack?.name === "string")) {
    throw new Error(`${command}: ${file} is not the output of \`pulumi stack ls --json\` (an array of stacks with a name)`);
  }
  return listed as ListedStack[];
}

// One pull request number per line, as `gh api ... --jq '.[].number'` prints them.
function readOpenPullRequests(file: string): Set<number> {
  const numbers = new Set<number>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const text = line.trim();
    if (text === "") {
      continue;
    }
    if (!/^[1-9][0-9]*$/.test(text)) {
      throw new Error(`${command}: ${file} contains ${JSON.stringify(text)}, which is not a pull request number`);
    }
    numbers.add(Number(text));
  }
  return numbers;
}

runCli(() => {
  const options = parseOptions(
    command,
    {
      stacks: { type: "string" },
      "open-pull-requests": { type: "string" },
      "max-age-days": { type: "string" },
    },
    ["stacks", "open-pull-requests", "max-age-days"],
  );

  const maxAgeText = options["max-age-days"] as string;
  if (!/^[0-9]+(\.[0-9]+)?$/.test(maxAgeText.trim())) {
    throw new Error(`${command}: --max-age-days ${JSON.stringify(maxAgeText)} is invalid: give a number of days, such as 7`);
  }

  const stale = chooseStaleStacks({
    stacks: readStacks(options.stacks as string),
    openPullRequests: readOpenPullRequests(options["open-pull-requests"] as string),
    maxAgeDays: Number(maxAgeText),
    now: new Date(),
  });

  for (const stack of stale) {
    process.stderr.write(`${stack.name}: ${stack.reason}\n`);
  }
  process.stdout.write(`${JSON.stringify(stale.map((stack) => stack.name))}\n`);
});
