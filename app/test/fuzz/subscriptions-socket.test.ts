import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnApp, type TestApp } from "../support/spawn-app.ts";
import { anyRequest, formRequest, sizedRequest, type FuzzRequest } from "./arbitraries.ts";
import { fuzzParameters } from "./fuzz-parameters.ts";
import { SubscriptionOracle, type ReceivedResponse } from "./subscription-oracle.ts";

// How the body travels: in one write with Content-Length, or chunked in several writes,
// so that a multi-byte character or a percent-escape may be split between TCP segments.
interface Transfer {
  chunked: boolean;
  // Offsets where the body is split, as fractions of its length.
  splits: number[];
}

const transfer: fc.Arbitrary<Transfer> = fc.record({
  chunked: fc.boolean(),
  splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
});

describe("POST /subscriptions with generated input (socket)", () => {
  let testApp: TestApp;
  let oracle: SubscriptionOracle;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    testApp = await spawnApp({ application: { log_level: "silent" } });
    await testApp.app.listen({ host: "127.0.0.1", port: 0 });
    port = (testApp.app.server.address() as AddressInfo).port;
    oracle = new SubscriptionOracle(testApp.db, testApp.settings.application.body_limit_bytes);
  });

  afterAll(async () => {
    agent.destroy();
    await testApp?.cleanup();
  });

  async function send(fuzzRequest: FuzzRequest, transferMode: Transfer): Promise<void> {
    const response = await post(port, agent, fuzzRequest, transferMode);
    await oracle.check(fuzzRequest, response);
  }

  it("stores valid fields exactly over HTTP", async () => {
    await fc.assert(fc.asyncProperty(formRequest, transfer, send), fuzzParameters(100));
  });

  it("handles any request over HTTP", async () => {
    await fc.assert(fc.asyncProperty(anyRequest, transfer, send), fuzzParameters(200));
  });

  it("returns 413 above the limit over HTTP", async () => {
    const limit = testApp.settings.application.body_limit_bytes;
    await fc.assert(fc.asyncProperty(sizedRequest(limit), transfer, send), fuzzParameters(50));
  });

  it("leaves only rows that got a 200", async () => {
    await oracle.checkTable();
  });

  it("still serves the health check", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health_check`);

    expect(response.status).toBe(200);
  });
});

async function post(port: number, agent: Agent, fuzzRequest: FuzzRequest, transferMode: Transfer): Promise<ReceivedResponse> {
  const headers: Record<string, string | number> = {};
  if (fuzzRequest.contentType !== undefined) {
    headers["content-type"] = fuzzRequest.contentType;
  }
  if (!transferMode.chunked) {
    headers["content-length"] = fuzzRequest.body.length;
  }

  const responded = new Promise<ReceivedResponse>((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, method: "POST", path: "/subscriptions", headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    writeInPieces(outgoing, fuzzRequest.body, transferMode.splits).catch(reject);
  });
  return responded;
}

async function writeInPieces(outgoing: NodeJS.WritableStream, body: Buffer, splits: number[]): Promise<void> {
  const offsets = [...new Set(splits.map((fraction) => Math.floor(fraction * body.length)))].sort((a, b) => a - b);
  let start = 0;
  for (const offset of offsets) {
    if (offset > start) {
      outgoing.write(body.subarray(start, offset));
      start = offset;
      await nextTurn();
    }
  }
  outgoing.end(body.subarray(start));
}
