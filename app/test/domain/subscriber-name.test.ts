import { describe, expect, it } from "vitest";
import { SubscriberName } from "../../src/domain/subscriber-name.ts";

function firstIssue(input: string): string | undefined {
  const result = SubscriberName.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe("SubscriberName", () => {
  it.each([
    ["a plain name", "Ursula Le Guin"],
    ["256 family emoji", "👨‍👩‍👧‍👦".repeat(256)],
    ["256 letters with combining accents", "e\u0301".repeat(256)],
    ["256 ASCII letters", "a".repeat(256)],
    ["surrounding spaces", "  Ada  "],
    ["a format character", "Ada\u200BLovelace"],
  ])("accepts %s", (_case, input) => {
    const result = SubscriberName.safeParse(input);

    expect(result.success).toBe(true);
    expect(result.data).toBe(input);
  });

  it.each([
    ["an empty string", "", "must not be empty"],
    ["spaces only", "   ", "must not be whitespace only"],
    ["non-breaking spaces only", "\u00A0\u2003", "must not be whitespace only"],
    ["257 family emoji", "👨‍👩‍👧‍👦".repeat(257), "must be at most 256 characters long"],
    ["257 ASCII letters", "a".repeat(257), "must be at most 256 characters long"],
    ["a NUL", "Ada\u0000", "must not contain control characters"],
    ["an escape character", "Ada\u001B[31m", "must not contain control characters"],
    ["a lone surrogate", "Ada\uD800", "must be valid Unicode text"],
    ["a curly brace", "{Ada}", 'must not contain any of / ( ) " < > \\ { }'],
    ["a line separator", "Ada\u2028Lovelace", "must not contain line separators or text direction controls"],
    ["a right-to-left override", "\u202Eecalevol", "must not contain line separators or text direction controls"],
    ["a zero-width space only", "\u200B", "must contain a visible character"],
    ["a lone combining accent", "\u0301", "must contain a visible character"],
    ["a Hangul filler only", "\u3164", "must contain a visible character"],
    ["a blank Braille pattern only", "\u2800", "must contain a visible character"],
    ["a private use character only", "\uE000", "must contain a visible character"],
    ["a right-to-left mark", "Ada\u200F", "must not contain line separators or text direction controls"],
  ])("rejects %s", (_case, input, message) => {
    expect(firstIssue(input)).toBe(message);
  });
});
