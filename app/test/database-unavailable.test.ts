import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../src/database/unavailable.ts";

function errorWithCode(code: string, message = "failed"): Error {
  return Object.assign(new Error(message), { code });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["connection refused", errorWithCode("ECONNREFUSED")],
    ["connection reset", errorWithCode("ECONNRESET")],
    ["statement timeout (57014)", errorWithCode("57014")],
    ["server shutting down (57P01)", errorWithCode("57P01")],
    ["server starting up (57P03)", errorWithCode("57P03")],
    ["idle session timeout (57P05)", errorWithCode("57P05")],
    ["too many connections (53300)", errorWithCode("53300")],
    ["a connection exception (08006)", errorWithCode("08006")],
    ["pool timeout", new Error("timeout exceeded when trying to connect")],
    ["connect timeout", new Error("Connection terminated due to connection timeout")],
    ["dropped connection", new Error("Connection terminated unexpectedly")],
    ["query read timeout", new Error("Query read timeout")],
    ["a cause two levels down", new Error("outer", { cause: new Error("middle", { cause: errorWithCode("ECONNREFUSED") }) })],
    ["an aggregate of refused connections", new AggregateError([errorWithCode("ECONNREFUSED")], "connect failed")],
  ])("returns true for %s", (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["undefined table (42P01)", errorWithCode("42P01")],
    ["authentication failure (28P01)", errorWithCode("28P01")],
    ["protocol violation (08P01)", errorWithCode("08P01")],
    ["a plain error", new Error("bug")],
    ["a string", "ECONNREFUSED"],
    ["undefined", undefined],
  ])("returns false for %s", (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("stops on a cause cycle", () => {
    const first = new Error("first");
    const second = new Error("second", { cause: first });
    Object.assign(first, { cause: second });

    expect(isDatabaseUnavailable(first)).toBe(false);
  });
});
