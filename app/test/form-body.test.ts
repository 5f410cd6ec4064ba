import { describe, expect, it } from "vitest";
import { InvalidFormBodyError, parseFormBody } from "../src/plugins/form-body.ts";

function parse(body: string | Buffer) {
  return parseFormBody(typeof body === "string" ? Buffer.from(body) : body);
}

describe("parseFormBody", () => {
  it("decodes plus signs and percent-escapes", () => {
    expect(parse("name=le+guin%21&email=a%40b.co")).toEqual({ name: "le guin!", email: "a@b.co" });
  });

  it("collects a repeated field into an array", () => {
    expect(parse("a=1&a=2&a=3")).toEqual({ a: ["1", "2", "3"] });
  });

  it("skips empty pairs and keeps a field without =", () => {
    expect(parse("&&a&b=")).toEqual({ a: "", b: "" });
  });

  it("keeps __proto__ as a plain field", () => {
    const fields = parse("__proto__=x");

    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(fields, "__proto__")?.value).toBe("x");
  });

  it("accepts raw UTF-8 outside escapes", () => {
    expect(parse("name=Zoë")).toEqual({ name: "Zoë" });
  });

  it.each([
    ["a malformed escape", "a=%G1"],
    ["a truncated escape", "a=%4"],
    ["an escape that is not UTF-8", "a=%C3"],
    ["an escaped surrogate", "a=%ED%B0%80"],
    ["an invalid escape in a field name", "%ZZ=1"],
    ["raw bytes that are not UTF-8", Buffer.from([0x61, 0x3d, 0xc3, 0x28])],
  ])("rejects %s with a 400 error", (_case, body) => {
    expect(() => parse(body)).toThrow(InvalidFormBodyError);
    try {
      parse(body);
    } catch (error) {
      expect((error as InvalidFormBodyError).statusCode).toBe(400);
    }
  });
});
