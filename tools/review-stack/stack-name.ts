// Review stacks are named pr-<pull request number>. Every workflow step that creates, updates or
// destroys a review stack takes its name from reviewStackName or parseReviewStackName, so those
// steps can only ever touch stacks of this form.
const reviewStackPattern = /^pr-([1-9][0-9]*)$/;

// Returns "pr-<n>" for a pull request number given as a number or as text from the event payload.
export function reviewStackName(pullRequest: number | string): string {
  const text = String(pullRequest).trim();
  const number = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(number)) {
    throw new Error(
      `Invalid pull request number ${JSON.stringify(String(pullRequest))}: a review stack needs a positive whole number, such as github.event.pull_request.number`,
    );
  }
  return `pr-${number}`;
}

// Returns the pull request number of a review stack name, or undefined for any other stack.
// Accepts the qualified forms `pulumi stack ls` prints ("org/pr-7", "org/project/pr-7") and
// reads only the last part.
export function parseReviewStackName(name: string): number | undefined {
  const match = reviewStackPattern.exec(name.split("/").at(-1) ?? "");
  if (match === null) {
    return undefined;
  }
  const number = Number(match[1]);
  return Number.isSafeInteger(number) ? number : undefined;
}

export function isReviewStackName(name: string): boolean {
  return parseReviewStackName(name) !== undefined;
}
