import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnApp, type TestApp } from "../support/spawn-app.ts";
import { anyRequest, anyTypeRequest, formRequest, malformedRequest, sizedRequest, type FuzzRequest } from "./arbitraries.ts";
import { fuzzParameters } from "./fuzz-parameters.ts";
import { SubscriptionOracle } from "./subscription-oracle.ts";

describe("POST /subscriptions with generated input (inject)", () => {
  let testApp: TestApp;
  let oracle: SubscriptionOracle;

  beforeAll(async () => {
    testApp = await spawnApp({ application: { log_level: "silent" } });
    oracle = new SubscriptionOracle(testApp.db, testApp.settings.application.body_limit_bytes);
  });

  afterAll(async () => {
    await testApp?.cleanup();
  });

  async function send(request: FuzzRequest): Promise<void> {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined) {
      headers["content-type"] = request.contentType;
    }
    const response = await testApp.app.inject({ method: "POST", url: "/subscriptions", headers, payload: request.body });
    await oracle.check(request, { status: response.statusCode, body: response.body });
  }

  it("stores valid fields exactly and rejects the rest", async () => {
    await fc.assert(fc.asyncProperty(formRequest, send), fuzzParameters(1_500));
  });

  it("rejects malformed encodings and raw bytes", async () => {
    await fc.assert(fc.asyncProperty(malformedRequest, send), fuzzParameters(1_000));
  });

  it("handles any content type", async () => {
    await fc.assert(fc.asyncProperty(anyTypeRequest, send), fuzzParameters(800));
  });

  it("returns 413 only above the body limit", async () => {
    const limit = testApp.settings.application.body_limit_bytes;
    await fc.assert(fc.asyncProperty(sizedRequest(limit), send), fuzzParameters(300));
  });

  it("handles a mix of every kind", async () => {
    await fc.assert(fc.asyncProperty(anyRequest, send), fuzzParameters(500));
  });

  it("leaves only rows that got a 200", async () => {
    await oracle.checkTable();
  });

  it("still serves the health check", async () => {
    const response = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(response.statusCode).toBe(200);
  });
});
