import { describe, expect, it } from "vitest";
import { parseDockerConfig } from "../components/container-registry.ts";

function dockerConfig(server: string, login: string): string {
  return JSON.stringify({ auths: { [server]: { auth: Buffer.from(login).toString("base64") } } });
}

describe("parseDockerConfig", () => {
  it("reads the server's login", () => {
    const login = parseDockerConfig(dockerConfig("registry.digitalocean.com", "user:pass:word"), "registry.digitalocean.com");

    expect(login).toEqual({ username: "user", password: "pass:word" });
  });

  it("names the missing server", () => {
    const parse = () => parseDockerConfig(dockerConfig("ghcr.io", "user:password"), "registry.digitalocean.com");

    expect(parse).toThrow(/no login for registry\.digitalocean\.com \(they cover ghcr\.io\)/);
  });
});
