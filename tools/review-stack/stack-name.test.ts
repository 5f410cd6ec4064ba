import { describe, expect, it } from "vitest";
import { isReviewStackName, parseReviewStackName, reviewStackName } from "./stack-name.ts";

describe("reviewStackName", () => {
  it("names the stack after the pull request", () => {
    expect(reviewStackName(7)).toBe("pr-7");
    expect(reviewStackName("1234")).toBe("pr-1234");
    expect(reviewStackName(" 42\n")).toBe("pr-42");
  });

  it.each(["", "0", "-3", "07", "1.5", "1e3", "12abc", "pr-7", "production", "9007199254740993"])(
    "rejects %j",
    (input) => {
      expect(() => reviewStackName(input)).toThrow(/Invalid pull request number/);
    },
  );

  it("rejects numbers that are not positive integers", () => {
    expect(() => reviewStackName(0)).toThrow(/Invalid pull request number "0"/);
    expect(() => reviewStackName(Number.NaN)).toThrow(/Invalid pull request number "NaN"/);
  });
});

describe("parseReviewStackName", () => {
  it("reads the number of short and qualified names", () => {
    expect(parseReviewStackName("pr-7")).toBe(7);
    expect(parseReviewStackName("acme/pr-7")).toBe(7);
    expect(parseReviewStackName("acme/zero2prod/pr-7")).toBe(7);
  });

  it.each(["production", "local", "pr-", "pr-07", "pr-7-old", "pr-7/x", "xpr-7", "PR-7", "acme/production"])(
    "returns undefined for %j",
    (name) => {
      expect(parseReviewStackName(name)).toBeUndefined();
      expect(isReviewStackName(name)).toBe(false);
    },
  );

  it("round-trips with reviewStackName", () => {
    for (const number of [1, 9, 10, 123_456]) {
      expect(parseReviewStackName(reviewStackName(number))).toBe(number);
    }
  });
});
