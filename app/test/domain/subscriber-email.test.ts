import { describe, expect, it } from "vitest";
import { SubscriberEmail } from "../../src/domain/subscriber-email.ts";

function firstIssue(input: string): string | undefined {
  const result = SubscriberEmail.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe("SubscriberEmail", () => {
  const validAddresses = [
    "ursula_le_guin@gmail.com",
    "First.Last+tag@Example.COM",
    "o'brien@sub.example.org",
    `${"a".repeat(64)}@example.com`,
  ];

  it.each(validAddresses)("accepts %s unchanged", (input) => {
    const result = SubscriberEmail.safeParse(input);

    expect(result.success).toBe(true);
    expect(result.data).toBe(input);
  });

  it.each([
    ["an empty string", "", "must not be empty"],
    ["spaces only", " \t ", "must not be whitespace only"],
    ["a missing at sign", "ursuladomain.com", "must be a valid email address"],
    ["a missing local part", "@domain.com", "must be a valid email address"],
    ["a missing domain", "ursula@", "must be a valid email address"],
    ["two at signs", "a@b@example.com", "must be a valid email address"],
    ["a leading space", " ursula@example.com", "must be a valid email address"],
    ["a line break", "ursula@example.com\n", "must be a valid email address"],
    ["255 characters", `${"a".repeat(64)}@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.com`.padEnd(255, "m"), "must be at most 254 characters long"],
    ["65 characters before the @", `${"a".repeat(65)}@example.com`, "must have at most 64 characters before the @"],
  ])("rejects %s", (_case, input, message) => {
    expect(firstIssue(input)).toBe(message);
  });
});
