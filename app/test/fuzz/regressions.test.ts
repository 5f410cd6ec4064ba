import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postSubscription, spawnApp, type TestApp } from "../support/spawn-app.ts";

// Letters and digits from a fixed linear congruential generator: the same text on every
// run, and too irregular for PostgreSQL's compression to shrink much.
function irregularText(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let state = 12_345;
  let text = "";
  for (let index = 0; index < length; index++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    text += alphabet[state % alphabet.length];
  }
  return text;
}

describe("regressions found by the fuzz tests", () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await spawnApp({ application: { log_level: "silent" } });
  });

  afterAll(async () => {
    await testApp?.cleanup();
  });

  // PostgreSQL rejects a unique-index entry above 2704 bytes (SQLSTATE 54000), which
  // returned 500 until SubscriberEmail took RFC 5321's length limit.
  it("rejects an email too long to index", async () => {
    const email = `${irregularText(2_800)}@example.com`;

    const response = await postSubscription(testApp.app, new URLSearchParams({ name: "Ada", email }).toString());

    expect(response.statusCode).toBe(400);
  });
});
