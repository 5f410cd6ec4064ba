// How declared inputs translate into engine requests: durations, strict inputs, container bodies,
// run-unique tags and the order resources are carried out in.
import { describe, expect, test } from "vitest";
import { toContainerRequest } from "./container-body.ts";
import { withRunSuffix } from "./image-build.ts";
import { inDependencyOrder } from "./local-stack.ts";
import { ContainerInputs, parseGoDuration, parseInputs } from "./resource-inputs.ts";

describe("parseGoDuration", () => {
  test.each([
    ["0", 0],
    ["1s", 1e9],
    ["500ms", 5e8],
    ["1m30s", 90e9],
    ["1.5h", 5400e9],
  ])("reads %s", (text, nanoseconds) => {
    expect(parseGoDuration(text)).toBe(nanoseconds);
  });

  test.each(["", "5", "1 s", "1sec", "s1"])("rejects %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe("parseInputs", () => {
  test("rejects an input the check does not carry out", () => {
    const inputs = { name: "app", image: "zero2prod:abc", privileged: true };

    expect(() => parseInputs(ContainerInputs, "docker:index/container:Container", "app", inputs)).toThrow(/privileged/);
  });
});

describe("toContainerRequest", () => {
  test("carries ports, health check and networks", () => {
    const inputs = parseInputs(ContainerInputs, "docker:index/container:Container", "app", {
      name: "app",
      image: "sha256:abc",
      ports: [{ internal: 8000, external: 8000, ip: "127.0.0.1" }],
      healthcheck: { tests: ["CMD", "true"], interval: "2s", retries: 3 },
      networksAdvanced: [
        { name: "first", aliases: ["api"] },
        { name: "second", aliases: ["other"] },
      ],
    });

    const { body, extraNetworks } = toContainerRequest(inputs);
    const hostConfig = body.HostConfig as Record<string, unknown>;

    expect(body.ExposedPorts).toEqual({ "8000/tcp": {} });
    expect(hostConfig.PortBindings).toEqual({ "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8000" }] });
    expect(hostConfig.NetworkMode).toBe("first");
    expect(hostConfig.RestartPolicy).toEqual({ Name: "no", MaximumRetryCount: 0 });
    expect(body.Healthcheck).toEqual({ Test: ["CMD", "true"], Interval: 2e9, Timeout: undefined, StartPeriod: undefined, Retries: 3 });
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { first: { Aliases: ["api"] } } });
    expect(extraNetworks).toEqual([{ name: "second", aliases: ["other"] }]);
  });
});

describe("withRunSuffix", () => {
  test.each([
    ["zero2prod:abc", "zero2prod:abc-run1"],
    ["zero2prod", "zero2prod:run1"],
    ["127.0.0.1:5000/zero2prod", "127.0.0.1:5000/zero2prod:run1"],
    ["127.0.0.1:5000/zero2prod:abc", "127.0.0.1:5000/zero2prod:abc-run1"],
  ])("turns %s into %s", (reference, expected) => {
    expect(withRunSuffix(reference, "run1")).toBe(expected);
  });
});

describe("inDependencyOrder", () => {
  const resource = (name: string, dependsOn: string[]) => ({ type: "t", name, inputs: {}, protect: false, retainOnDelete: false, dependsOn });

  test("puts dependencies first and keeps the rest in order", () => {
    const ordered = inDependencyOrder([resource("app", ["image"]), resource("network", []), resource("image", ["network"])]);

    expect(ordered.map((item) => item.name)).toEqual(["network", "image", "app"]);
  });

  test("rejects a cycle", () => {
    expect(() => inDependencyOrder([resource("a", ["b"]), resource("b", ["a"])])).toThrow(/cycle/);
  });
});
