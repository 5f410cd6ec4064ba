import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { fallbackImageTag, readImageTag } from "../image-tag.ts";

const environment = { GITHUB_SHA: process.env.GITHUB_SHA, PATH: process.env.PATH };

afterEach(() => {
  for (const [key, value] of Object.entries(environment)) {
    if (value === undefined) {
      delete process.env[key];
    } else {
      process.env[key] = value;
    }
  }
});

describe("readImageTag", () => {
  it("uses GITHUB_SHA when set", () => {
    process.env.GITHUB_SHA = "0123456789abcdef0123456789abcdef01234567";

    expect(readImageTag()).toBe("0123456789ab");
  });

  it("uses git's short commit otherwise", () => {
    delete process.env.GITHUB_SHA;
    const expected = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();

    expect(readImageTag()).toBe(expected);
  });

  it("falls back without git", () => {
    delete process.env.GITHUB_SHA;
    process.env.PATH = "/nonexistent";

    expect(readImageTag()).toBe(fallbackImageTag);
  });
});
