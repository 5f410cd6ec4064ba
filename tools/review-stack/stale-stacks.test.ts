import { describe, expect, it } from "vitest";
import { chooseStaleStacks, type ListedStack } from "./stale-stacks.ts";

const now = new Date("2026-10-20T12:00:00.000Z");

function daysAgo(days: number): string {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
}

function choose(stacks: ListedStack[], open: number[], maxAgeDays = 7) {
  return chooseStaleStacks({ stacks, openPullRequests: new Set(open), maxAgeDays, now });
}

describe("chooseStaleStacks", () => {
  it("chooses the stack of a closed pull request", () => {
    const stale = choose([{ name: "pr-3", lastUpdate: daysAgo(1) }], []);

    expect(stale).toEqual([{ name: "pr-3", pullRequest: 3, reason: "pull request #3 is closed" }]);
  });

  it("keeps a recent stack of an open pull request", () => {
    expect(choose([{ name: "pr-3", lastUpdate: daysAgo(1) }], [3])).toEqual([]);
  });

  it("chooses an open pull request's stack older than the maximum age", () => {
    const stale = choose([{ name: "pr-3", lastUpdate: daysAgo(9.5) }], [3]);

    expect(stale.map((stack) => stack.name)).toEqual(["pr-3"]);
    expect(stale[0]?.reason).toBe(`last updated ${daysAgo(9.5)}, 9 days ago, more than the maximum of 7`);
  });

  it("keeps a stack exactly at the maximum age", () => {
    expect(choose([{ name: "pr-3", lastUpdate: daysAgo(7) }], [3])).toEqual([]);
  });

  it("honours a different maximum age", () => {
    const stacks = [{ name: "pr-3", lastUpdate: daysAgo(2) }];

    expect(choose(stacks, [3], 1).map((stack) => stack.name)).toEqual(["pr-3"]);
    expect(choose(stacks, [3], 3)).toEqual([]);
  });

  it("never chooses stacks outside pr-<n>", () => {
    const stacks: ListedStack[] = [
      { name: "production", lastUpdate: daysAgo(400) },
      { name: "acme/production", lastUpdate: daysAgo(400) },
      { name: "local" },
      { name: "pr-7-old", lastUpdate: daysAgo(400) },
      { name: "staging-pr-8", lastUpdate: daysAgo(400) },
    ];

    expect(choose(stacks, [])).toEqual([]);
  });

  it("skips a stack with an update in progress", () => {
    expect(choose([{ name: "pr-3", updateInProgress: true }], [])).toEqual([]);
  });

  it("keeps an open pull request's stack without a last update", () => {
    expect(choose([{ name: "pr-3" }, { name: "pr-4", lastUpdate: "not a date" }], [3, 4])).toEqual([]);
  });

  it("chooses a closed pull request's stack without a last update", () => {
    expect(choose([{ name: "pr-3" }], []).map((stack) => stack.name)).toEqual(["pr-3"]);
  });

  it("returns short names once, sorted by number", () => {
    const stacks: ListedStack[] = [
      { name: "acme/zero2prod/pr-12", lastUpdate: daysAgo(1) },
      { name: "pr-12", lastUpdate: daysAgo(1) },
      { name: "acme/pr-2", lastUpdate: daysAgo(1) },
    ];

    expect(choose(stacks, []).map((stack) => stack.name)).toEqual(["pr-2", "pr-12"]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects a maximum age of %s days", (maxAgeDays) => {
    expect(() => choose([], [], maxAgeDays)).toThrow(/Invalid maximum age/);
  });
});
