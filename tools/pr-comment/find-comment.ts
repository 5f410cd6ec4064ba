import { markerLine } from "./comment-body.ts";

// The fields this module reads from a GitHub issue comment, as the REST API returns it.
export interface IssueComment {
  id: number;
  body?: string | null;
  user?: { login: string } | null;
  created_at?: string;
}

// Login of the GITHUB_TOKEN's bot user, which posts the workflows' comments.
export const actionsBotLogin = "github-actions[bot]";

// Returns the comment to edit: the oldest comment by `author` whose first line is the marker.
// Comments by anyone else are skipped even when they quote the marker, so a workflow never
// overwrites a person's comment. Returns undefined when there is none.
export function findMarkedComment(
  comments: readonly IssueComment[],
  marker: string,
  author: string = actionsBotLogin,
): IssueComment | undefined {
  const firstLine = markerLine(marker);
  const matches = comments.filter(
    (comment) => comment.user?.login === author && (comment.body ?? "").split("\n", 1)[0]?.trim() === firstLine,
  );
  // GitHub gives issue comments ascending ids in creation order, so the lowest id is the oldest.
  return matches.sort((left, right) => left.id - right.id)[0];
}
