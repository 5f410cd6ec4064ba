import { describe, expect, it } from "vitest";
import { buildCommentBody, githubCommentLimit, markerLine } from "./comment-body.ts";

const hint = "the job log";

function numberedLines(count: number, width = 40): string {
  return Array.from({ length: count }, (_, index) => `line ${index + 1} `.padEnd(width, "x")).join("\n");
}

describe("markerLine", () => {
  it("wraps the marker in a hidden HTML comment", () => {
    expect(markerLine("zero2prod:preview:production")).toBe("<!-- zero2prod:preview:production -->");
  });

  it("rejects a marker that could end the HTML comment", () => {
    expect(() => markerLine("a-->b")).toThrow(/Invalid comment marker "a-->b"/);
    expect(() => markerLine("a b")).toThrow(/Invalid comment marker/);
    expect(() => markerLine("")).toThrow(/Invalid comment marker/);
  });
});

describe("buildCommentBody", () => {
  it("keeps short output whole in a fenced block", () => {
    const { body, omittedLines } = buildCommentBody({
      marker: "m",
      heading: "### Preview",
      output: { text: "+ create\n~ update\n", language: "diff", fullOutputHint: hint },
    });

    expect(omittedLines).toBe(0);
    expect(body).toBe("<!-- m -->\n### Preview\n\n```diff\n+ create\n~ update\n```\n");
  });

  it("builds a body without output", () => {
    const { body } = buildCommentBody({ marker: "m", heading: "Review environment", footer: "Bye" });

    expect(body).toBe("<!-- m -->\nReview environment\n\nBye\n");
  });

  it("uses a longer fence when the output contains backticks", () => {
    const { body } = buildCommentBody({
      marker: "m",
      heading: "h",
      output: { text: "a ``` b ```` c", fullOutputHint: hint },
    });

    expect(body).toContain("\n`````\na ``` b ```` c\n`````\n");
  });

  it("trims output over the limit and says where the rest is", () => {
    const text = numberedLines(5_000);
    expect(text.length).toBeGreaterThan(githubCommentLimit);

    const { body, omittedLines } = buildCommentBody({
      marker: "m",
      heading: "### Preview",
      output: { text, language: "diff", fullOutputHint: "the artifact `preview-output`" },
    });

    expect(body.length).toBeLessThanOrEqual(githubCommentLimit);
    expect(omittedLines).toBeGreaterThan(0);
    expect(body.startsWith("<!-- m -->\n")).toBe(true);
    expect(body).toContain("line 1 ");
    expect(body).not.toContain("line 5000 ");
    expect(body).toContain(`[... ${omittedLines.toLocaleString("en-US")} lines left out ...]`);
    expect(body).toContain(
      `${omittedLines.toLocaleString("en-US")} of its 5,000 lines are left out. The full output is in the artifact \`preview-output\`.`,
    );
    expect(body).toContain("GitHub's limit of 65,536 characters per comment");
  });

  it("uses most of the limit when trimming", () => {
    const { body } = buildCommentBody({
      marker: "m",
      heading: "h",
      output: { text: numberedLines(5_000), fullOutputHint: hint },
    });

    expect(body.length).toBeGreaterThan(githubCommentLimit - 100);
  });

  it("keeps the requested tail lines when trimming", () => {
    const text = `${numberedLines(3_000)}\nResources:\n    + 3 to create\n    12 unchanged`;

    const { body } = buildCommentBody({
      marker: "m",
      heading: "h",
      output: { text, fullOutputHint: hint, tailLines: 3 },
      limit: 10_000,
    });

    expect(body.length).toBeLessThanOrEqual(10_000);
    expect(body).toMatch(/lines left out \.\.\.\]\nResources:\n {4}\+ 3 to create\n {4}12 unchanged\n```\n/);
  });

  it("cuts a single line longer than the limit", () => {
    const { body, omittedLines } = buildCommentBody({
      marker: "m",
      heading: "h",
      output: { text: "y".repeat(20_000), fullOutputHint: hint },
      limit: 2_000,
    });

    expect(body.length).toBeLessThanOrEqual(2_000);
    expect(body).toContain("yyyy");
    expect(omittedLines).toBe(0);
  });

  it("never splits a surrogate pair when cutting", () => {
    const { body } = buildCommentBody({
      marker: "m",
      heading: "h",
      output: { text: "😀".repeat(5_000), fullOutputHint: hint },
      limit: 1_001,
    });

    expect(body.length).toBeLessThanOrEqual(1_001);
    expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("fits every limit from tiny to large", () => {
    const text = numberedLines(400, 73);
    for (const limit of [800, 1_000, 4_096, 10_000, 30_000]) {
      const { body } = buildCommentBody({
        marker: "zero2prod:preview:production",
        heading: "### `pulumi preview --diff` of `production`",
        output: { text, language: "diff", fullOutputHint: hint, tailLines: 5 },
        footer: "_Updated for abc1234._",
        limit,
      });

      expect(body.length, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(body.endsWith("_Updated for abc1234._\n"), `limit ${limit}`).toBe(true);
    }
  });

  it("rejects a heading that leaves no room for output", () => {
    expect(() =>
      buildCommentBody({
        marker: "m",
        heading: "h".repeat(500),
        output: { text: numberedLines(100), fullOutputHint: hint },
        limit: 600,
      }),
    ).toThrow(/too few to show any of it/);
  });
});
