import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postSubscription, spawnApp, type TestApp } from "./support/spawn-app.ts";

interface SubscriptionRow {
  id: string;
  email: string;
  name: string;
  subscribed_at: Date;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe("POST /subscriptions", () => {
  let testApp: TestApp;

  // One app for the file keeps the run short. Emptying the table before each
  // test keeps the tests independent of each other.
  beforeAll(async () => {
    testApp = await spawnApp();
  });

  beforeEach(async () => {
    await testApp.db.query("TRUNCATE subscriptions");
  });

  afterAll(async () => {
    await testApp.cleanup();
  });

  async function storedRows(): Promise<SubscriptionRow[]> {
    const result = await testApp.db.query<SubscriptionRow>("SELECT id, email, name, subscribed_at FROM subscriptions");
    return result.rows;
  }

  it("returns 200 and stores the subscriber for valid form data", async () => {
    const before = Date.now();

    const response = await postSubscription(testApp.app, "name=le%20guin&email=ursula_le_guin%40gmail.com");

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
    const rows = await storedRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toBe("le guin");
    expect(rows[0]?.email).toBe("ursula_le_guin@gmail.com");
    expect(rows[0]?.id).toMatch(uuidPattern);
    expect(rows[0]?.subscribed_at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(rows[0]?.subscribed_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it("stores name and email exactly as sent", async () => {
    const name = "  Zoë 👩‍👩‍👧 O'Brien-Ñúñez  ";
    const email = "First.Last+News@Example.COM";

    const response = await postSubscription(testApp.app, form({ name, email }));

    expect(response.statusCode).toBe(200);
    const rows = await storedRows();
    expect(rows[0]?.name).toBe(name);
    expect(rows[0]?.email).toBe(email);
  });

  it("accepts a name of 256 emoji", async () => {
    // Each emoji is 2 UTF-16 units, so the name is 512 units long.
    const name = "😀".repeat(256);

    const response = await postSubscription(testApp.app, form({ name, email: "family@example.com" }));

    expect(response.statusCode).toBe(200);
    expect((await storedRows())[0]?.name).toBe(name);
  });

  it("accepts a charset parameter on the content type", async () => {
    const response = await postSubscription(
      testApp.app,
      form({ name: "Ada", email: "ada@example.com" }),
      "application/x-www-form-urlencoded; charset=utf-8",
    );

    expect(response.statusCode).toBe(200);
    expect(await storedRows()).toHaveLength(1);
  });

  it("stores a repeated email once and returns 200 both times", async () => {
    const first = await postSubscription(testApp.app, form({ name: "Ada", email: "ada@example.com" }));
    const second = await postSubscription(testApp.app, form({ name: "Someone Else", email: "ada@example.com" }));

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    const rows = await storedRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toBe("Ada");
  });

  const invalidBodies: { case: string; body: string | Buffer; message: string }[] = [
    { case: "name is missing", body: "email=ursula_le_guin%40gmail.com", message: "name is missing" },
    { case: "email is missing", body: "name=le%20guin", message: "email is missing" },
    { case: "both fields are missing", body: "", message: "name is missing, email is missing" },
    { case: "name is empty", body: "name=&email=a%40example.com", message: "name must not be empty" },
    { case: "email is empty", body: "name=Ada&email=", message: "email must not be empty" },
    { case: "name has no value", body: "name&email=a%40example.com", message: "name must not be empty" },
    {
      case: "name is whitespace only",
      body: "name=%20%20+&email=a%40example.com",
      message: "name must not be whitespace only",
    },
    { case: "email is whitespace only", body: "name=Ada&email=%20+", message: "email must not be whitespace only" },
    {
      case: "name is 257 emoji",
      body: form({ name: "😀".repeat(257), email: "a@example.com" }),
      message: "name must be at most 256 characters long",
    },
    { case: "name contains NUL", body: "name=A%00da&email=a%40example.com", message: "name must not contain control characters" },
    { case: "name contains a line break", body: "name=A%0Ada&email=a%40example.com", message: "name must not contain control characters" },
    { case: "name contains a tab", body: "name=A%09da&email=a%40example.com", message: "name must not contain control characters" },
    { case: "name contains DEL", body: "name=A%7Fda&email=a%40example.com", message: "name must not contain control characters" },
    {
      case: "name contains a C1 control",
      body: "name=A%C2%85da&email=a%40example.com",
      message: "name must not contain control characters",
    },
    {
      case: "email is not an address",
      body: "name=Ada&email=definitely-not-an-email",
      message: "email must be a valid email address",
    },
    { case: "email has no domain", body: "name=Ada&email=ada%40", message: "email must be a valid email address" },
    { case: "email has no local part", body: "name=Ada&email=%40example.com", message: "email must be a valid email address" },
    {
      case: "email has surrounding spaces",
      body: "name=Ada&email=+ada%40example.com+",
      message: "email must be a valid email address",
    },
    { case: "name is sent twice", body: "name=Ada&name=Bob&email=a%40example.com", message: "name must be sent only once" },
    {
      case: "email is sent twice",
      body: "name=Ada&email=a%40example.com&email=b%40example.com",
      message: "email must be sent only once",
    },
    { case: "a percent-escape is malformed", body: "name=A%ZZda&email=a%40example.com", message: "not valid form encoding" },
    { case: "a percent-escape is cut short", body: "name=Ada%2&email=a%40example.com", message: "not valid form encoding" },
    { case: "an escape decodes to invalid UTF-8", body: "name=A%FFda&email=a%40example.com", message: "not valid form encoding" },
    { case: "an escape encodes a surrogate", body: "name=A%ED%A0%80da&email=a%40example.com", message: "not valid form encoding" },
    {
      case: "raw bytes are invalid UTF-8",
      body: Buffer.concat([Buffer.from("name=A"), Buffer.from([0xff, 0xfe]), Buffer.from("da&email=a%40example.com")]),
      message: "Request body is not valid UTF-8",
    },
  ];

  for (const forbidden of ["/", "(", ")", '"', "<", ">", "\\", "{", "}"]) {
    invalidBodies.push({
      case: `name contains ${forbidden}`,
      body: form({ name: `Ada ${forbidden} Lovelace`, email: "a@example.com" }),
      message: 'name must not contain any of / ( ) " < > \\ { }',
    });
  }

  it.each(invalidBodies)("returns 400 when $case", async ({ body, message }) => {
    const response = await postSubscription(testApp.app, body);

    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toContain(message);
    expect(await storedRows()).toHaveLength(0);
  });

  it("returns 400 when the request has no body", async () => {
    const response = await testApp.app.inject({ method: "POST", url: "/subscriptions" });

    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toBe("name is missing, email is missing");
  });

  it("ignores fields other than name and email", async () => {
    const response = await postSubscription(testApp.app, "name=Ada&email=a%40example.com&__proto__=x&extra=1&extra=2");

    expect(response.statusCode).toBe(200);
    expect(await storedRows()).toHaveLength(1);
  });

  it.each(["application/json", "text/plain", "multipart/form-data; boundary=x"])(
    "returns 415 for content type %s",
    async (contentType) => {
      const response = await postSubscription(testApp.app, "name=Ada&email=a%40example.com", contentType);

      expect(response.statusCode).toBe(415);
      expect(response.json<{ message: string }>().message).toContain("application/x-www-form-urlencoded");
      expect(await storedRows()).toHaveLength(0);
    },
  );

  it("returns 413 when the body exceeds the limit", async () => {
    const limit = testApp.settings.application.body_limit_bytes;
    const body = form({ name: "a".repeat(limit), email: "a@example.com" });

    const response = await postSubscription(testApp.app, body);

    expect(response.statusCode).toBe(413);
    expect(await storedRows()).toHaveLength(0);
  });

  it("accepts a body of exactly the limit", async () => {
    const limit = testApp.settings.application.body_limit_bytes;
    const prefix = "email=a%40example.com&name=Ada&padding=";
    const body = prefix + "x".repeat(limit - prefix.length);

    const response = await postSubscription(testApp.app, body);

    expect(Buffer.byteLength(body)).toBe(limit);
    expect(response.statusCode).toBe(200);
  });
});
