import type { StackSummary } from "@pulumi/pulumi/automation/index.js";
import { parseReviewStackName } from "./stack-name.ts";

// A stack as `pulumi stack ls --json` lists it; only these fields are read.
export type ListedStack = Pick<StackSummary, "name" | "lastUpdate" | "updateInProgress">;

export interface StaleStackQuery {
  stacks: readonly ListedStack[];
  // Numbers of the pull requests that are open now; every other pull request counts as closed
  // or merged.
  openPullRequests: ReadonlySet<number>;
  // Maximum age in days of a review stack's last update.
  maxAgeDays: number;
  now: Date;
}

export interface StaleStack {
  // The short name "pr-<n>", also when the listing gave a qualified one.
  name: string;
  pullRequest: number;
  reason: string;
}

const dayInMilliseconds = 24 * 60 * 60 * 1000;

// Chooses the review stacks to destroy and remove: those whose pull request is not open, and
// those last updated more than maxAgeDays ago. Only stacks named pr-<n> are ever chosen. A
// stack with an update in progress is skipped until a later run. A stack of an open pull
// request without a readable last-update time is kept, because its age is unknown.
export function chooseStaleStacks(query: StaleStackQuery): StaleStack[] {
  if (!Number.isFinite(query.maxAgeDays) || query.maxAgeDays <= 0) {
    throw new Error(`Invalid maximum age ${query.maxAgeDays} days: give a number of days greater than 0`);
  }

  const stale: StaleStack[] = [];
  for (const stack of query.stacks) {
    const pullRequest = parseReviewStackName(stack.name);
    if (pullRequest === undefined || stack.updateInProgress === true) {
      continue;
    }

    const name = `pr-${pullRequest}`;
    if (!query.openPullRequests.has(pullRequest)) {
      stale.push({ name, pullRequest, reason: `pull request #${pullRequest} is closed` });
      continue;
    }

    const lastUpdate = stack.lastUpdate === undefined ? Number.NaN : Date.parse(stack.lastUpdate);
    const ageDays = (query.now.getTime() - lastUpdate) / dayInMilliseconds;
    if (ageDays > query.maxAgeDays) {
      const reason = `last updated ${stack.lastUpdate}, ${Math.floor(ageDays)} days ago, more than the maximum of ${query.maxAgeDays}`;
      stale.push({ name, pullRequest, reason });
    }
  }

  // Qualified and short listings of one stack must not destroy it twice.
  const unique = new Map(stale.map((stack) => [stack.name, stack]));
  return [...unique.values()].sort((left, right) => left.pullRequest - right.pullRequest);
}
