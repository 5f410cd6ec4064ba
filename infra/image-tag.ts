import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";

// Used when neither git nor GITHUB_SHA names the commit. Deployments go by digest, so the tag
// only labels the image.
export const fallbackImageTag = "uncommitted";

// Returns the short commit the image is built from: GITHUB_SHA in GitHub Actions, otherwise
// `git rev-parse --short=12 HEAD`. Both give 12 characters so one commit gets one tag.
export function readImageTag(): string {
  const githubSha = process.env.GITHUB_SHA?.trim();
  if (githubSha) {
    return githubSha.slice(0, 12);
  }
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    pulumi.log.warn(
      `Failed to read the git commit (${reason}) and GITHUB_SHA is unset, so the image is tagged "${fallbackImageTag}". Run from a git checkout or set GITHUB_SHA.`,
    );
    return fallbackImageTag;
  }
}
