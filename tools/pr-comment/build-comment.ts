// Builds a pull-request comment body from a command's output file and writes it to --out.
//
//   node tools/pr-comment/build-comment.ts --marker zero2prod:preview:production \
//     --heading "### Preview" --output-file preview.txt --language diff \
//     --full-output-hint "the job log" --tail-lines 12 --out comment.md
//
// Without --output-file the body contains the heading and footer only. Terminal color codes are
// removed from the output first.
import { readFileSync, writeFileSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { buildCommentBody } from "./comment-body.ts";

const command = "build-comment";

runCli(() => {
  const options = parseOptions(
    command,
    {
      marker: { type: "string" },
      heading: { type: "string" },
      "output-file": { type: "string" },
      language: { type: "string" },
      "full-output-hint": { type: "string" },
      "tail-lines": { type: "string", default: "0" },
      footer: { type: "string" },
      out: { type: "string" },
    },
    ["marker", "heading", "out"],
  );

  const outputFile = options["output-file"];
  const hint = options["full-output-hint"];
  if (outputFile !== undefined && hint === undefined) {
    throw new Error(`${command}: --output-file needs --full-output-hint, which the note on a trimmed comment names`);
  }

  const tailLines = Number(options["tail-lines"]);
  if (!Number.isInteger(tailLines) || tailLines < 0) {
    throw new Error(`${command}: --tail-lines ${JSON.stringify(options["tail-lines"])} is invalid: give a whole number, 0 or more`);
  }

  const { body, omittedLines } = buildCommentBody({
    marker: options.marker as string,
    heading: options.heading as string,
    footer: options.footer,
    output:
      outputFile === undefined
        ? undefined
        : {
            text: stripVTControlCharacters(readFileSync(outputFile, "utf8")),
            language: options.language,
            fullOutputHint: hint as string,
            tailLines,
          },
  });

  writeFileSync(options.out as string, body);
  const trimmed = omittedLines > 0 ? `, ${omittedLines} output lines left out to fit the limit` : "";
  process.stderr.write(`${command}: wrote ${body.length} characters to ${options.out}${trimmed}\n`);
});
