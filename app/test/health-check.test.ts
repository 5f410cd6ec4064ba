import { afterEach, describe, expect, it } from "vitest";
import { findFreePort } from "./support/free-port.ts";
import { spawnApp, type TestApp } from "./support/spawn-app.ts";

describe("GET /health_check", () => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.cleanup();
    testApp = undefined;
  });

  it("returns 200 with an empty body", async () => {
    testApp = await spawnApp();

    const response = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
  });

  it("returns 200 when the database is unreachable", async () => {
    testApp = await spawnApp({ database: { port: await findFreePort() } });

    const response = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(response.statusCode).toBe(200);
  });

  it("serves the path from the settings", async () => {
    testApp = await spawnApp({ application: { health_check_path: "/livez" } });

    const configured = await testApp.app.inject({ method: "GET", url: "/livez" });
    const old = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(configured.statusCode).toBe(200);
    expect(old.statusCode).toBe(404);
  });
});
