import { describe, expect, it } from "vitest";
import { actionsBotLogin, findMarkedComment, type IssueComment } from "./find-comment.ts";

const bot = { login: actionsBotLogin };
const person = { login: "octocat" };
const marker = "zero2prod:preview:production";

describe("findMarkedComment", () => {
  it("finds the bot's comment that starts with the marker", () => {
    const comments: IssueComment[] = [
      { id: 1, user: person, body: "Looks good" },
      { id: 2, user: bot, body: `<!-- ${marker} -->\n### Preview` },
      { id: 3, user: bot, body: "<!-- zero2prod:review:pr-7 -->\nReview environment" },
    ];

    expect(findMarkedComment(comments, marker)?.id).toBe(2);
  });

  it("returns undefined when no comment has the marker", () => {
    const comments: IssueComment[] = [{ id: 1, user: bot, body: "<!-- other -->" }];

    expect(findMarkedComment(comments, marker)).toBeUndefined();
    expect(findMarkedComment([], marker)).toBeUndefined();
  });

  it("skips a person's comment that quotes the marker", () => {
    const comments: IssueComment[] = [{ id: 1, user: person, body: `<!-- ${marker} -->\ncopied` }];

    expect(findMarkedComment(comments, marker)).toBeUndefined();
  });

  it("skips a bot comment with the marker below the first line", () => {
    const comments: IssueComment[] = [{ id: 1, user: bot, body: `Quote:\n<!-- ${marker} -->` }];

    expect(findMarkedComment(comments, marker)).toBeUndefined();
  });

  it("does not match a marker that only starts the same way", () => {
    const comments: IssueComment[] = [{ id: 1, user: bot, body: `<!-- ${marker}-old -->` }];

    expect(findMarkedComment(comments, marker)).toBeUndefined();
  });

  it("picks the oldest of several marked comments", () => {
    const comments: IssueComment[] = [
      { id: 30, user: bot, body: `<!-- ${marker} -->\nnewer` },
      { id: 10, user: bot, body: `<!-- ${marker} -->\nolder` },
    ];

    expect(findMarkedComment(comments, marker)?.id).toBe(10);
  });

  it("tolerates comments without a body or user", () => {
    const comments: IssueComment[] = [
      { id: 1, body: null, user: null },
      { id: 2, user: bot, body: `<!-- ${marker} -->\r\nwindows line ending` },
    ];

    expect(findMarkedComment(comments, marker)?.id).toBe(2);
  });

  it("matches another author when one is given", () => {
    const comments: IssueComment[] = [{ id: 5, user: { login: "deploy-app[bot]" }, body: `<!-- ${marker} -->` }];

    expect(findMarkedComment(comments, marker, "deploy-app[bot]")?.id).toBe(5);
  });
});
