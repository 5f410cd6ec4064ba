// GitHub rejects an issue or pull-request comment whose body is longer than 65,536 characters.
// Lengths here are UTF-16 code units (String.length), never fewer than the characters GitHub
// counts, so a body that fits here fits there.
export const githubCommentLimit = 65_536;

export interface CommentOutput {
  // Command output shown in a fenced code block, such as `pulumi preview --diff`.
  text: string;
  // Info string of the code block, such as "diff"; none by default.
  language?: string;
  // Markdown naming where the untrimmed output is, such as "the [job log](https://...)".
  fullOutputHint: string;
  // Lines always kept from the end of the output when it is trimmed, because summaries such as
  // Pulumi's "Resources:" block come last; 0 by default.
  tailLines?: number;
}

export interface CommentParts {
  // Identifier written as a hidden HTML comment on the first line, used to find the comment
  // again; letters, digits and . _ : / - only.
  marker: string;
  // Markdown above the output, such as a heading and a summary.
  heading: string;
  output?: CommentOutput;
  // Markdown below the output.
  footer?: string;
  // Maximum body length; githubCommentLimit by default.
  limit?: number;
}

export interface CommentBody {
  body: string;
  // Output lines left out to fit the limit; 0 when the whole output fits.
  omittedLines: number;
}

const markerPattern = /^[A-Za-z0-9._:/-]+$/;

export function markerLine(marker: string): string {
  if (!markerPattern.test(marker) || marker.includes("--")) {
    throw new Error(
      `Invalid comment marker ${JSON.stringify(marker)}: use letters, digits and . _ : / - without "--", so the marker stays a valid HTML comment`,
    );
  }
  return `<!-- ${marker} -->`;
}

// Builds a comment body that starts with the hidden marker and fits the limit. When the output
// does not fit, lines from its middle are replaced by one line saying how many were left out,
// and a note under the block names where the full output is.
export function buildCommentBody(parts: CommentParts): CommentBody {
  const limit = parts.limit ?? githubCommentLimit;
  const head = `${markerLine(parts.marker)}\n${parts.heading.trimEnd()}\n`;
  const footer = parts.footer === undefined ? "" : `\n${parts.footer.trimEnd()}\n`;

  if (parts.output === undefined) {
    return { body: fitOrFail(head + footer, limit), omittedLines: 0 };
  }

  const output = parts.output;
  const text = output.text.replace(/\r\n/g, "\n").replace(/\n+$/, "");
  const fence = fenceFor(text);
  const open = `\n${fence}${output.language ?? ""}\n`;
  const close = `\n${fence}\n`;

  const whole = head + open + text + close + footer;
  if (whole.length <= limit) {
    return { body: whole, omittedLines: 0 };
  }

  const lines = text.split("\n");
  // The note's length depends on the count of omitted lines; the total line count has at
  // least as many digits, so it reserves enough room.
  const reservedNote = trimNote(lines.length, lines.length, output.fullOutputHint, limit);
  const budget = limit - (head + open + close + footer + reservedNote).length;
  const trimmed = trimLines(lines, budget, output.tailLines ?? 0);
  const note = trimNote(trimmed.omittedLines, lines.length, output.fullOutputHint, limit);

  const body = head + open + trimmed.text + close + note + footer;
  return { body: fitOrFail(body, limit), omittedLines: trimmed.omittedLines };
}

function trimNote(omitted: number, total: number, fullOutputHint: string, limit: number): string {
  const count = (value: number) => value.toLocaleString("en-US");
  return (
    `\n> [!NOTE]\n> The output was trimmed to fit GitHub's limit of ${count(limit)} characters per comment: ` +
    `${count(omitted)} of its ${count(total)} lines are left out. The full output is in ${fullOutputHint}.\n`
  );
}

function fitOrFail(body: string, limit: number): string {
  if (body.length > limit) {
    throw new Error(
      `The comment is ${body.length} characters long without any output, more than the limit of ${limit}: shorten the heading or footer`,
    );
  }
  return body;
}

// A fence longer than any run of backticks in the text, so the text cannot close the block early.
function fenceFor(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longestRun + 1));
}

interface TrimmedLines {
  text: string;
  omittedLines: number;
}

// Keeps up to tailLines lines from the end (at most half the budget) and as many lines from the
// start as fit before them, with one line in between that counts the lines left out.
function trimLines(lines: string[], budget: number, tailLines: number): TrimmedLines {
  const marker = (omitted: number) => `[... ${omitted.toLocaleString("en-US")} lines left out ...]`;
  const markerLength = marker(lines.length).length + 1;
  if (budget < markerLength) {
    throw new Error(`The comment leaves ${budget} characters for the output, too few to show any of it`);
  }

  const tail: string[] = [];
  let tailLength = 0;
  for (let index = lines.length - 1; index >= 0 && tail.length < tailLines; index -= 1) {
    const line = lines[index] ?? "";
    if (tailLength + line.length + 1 > budget / 2) {
      break;
    }
    tail.unshift(line);
    tailLength += line.length + 1;
  }

  const headBudget = budget - markerLength - tailLength;
  const head: string[] = [];
  let headLength = 0;
  for (const line of lines.slice(0, lines.length - tail.length)) {
    if (headLength + line.length + 1 > headBudget) {
      if (head.length === 0) {
        // A first line longer than the whole budget is cut, so the block still shows something.
        head.push(cutAtCodePoint(line, headBudget - 1));
      }
      break;
    }
    head.push(line);
    headLength += line.length + 1;
  }

  const omittedLines = lines.length - head.length - tail.length;
  return { text: [...head, marker(omittedLines), ...tail].join("\n"), omittedLines };
}

// Cuts text to at most `length` UTF-16 code units without splitting a surrogate pair.
function cutAtCodePoint(text: string, length: number): string {
  const cut = text.slice(0, Math.max(0, length));
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
