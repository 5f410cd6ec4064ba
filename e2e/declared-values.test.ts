import { describe, expect, test } from "vitest";
import type { CapturedResource } from "../infra/testing/capture.ts";
import { fakeResource } from "../infra/testing/fake-outputs.ts";
import { mapRunValues, resolveInputs, type ValueMap } from "./declared-values.ts";

function resource(type: string, name: string, inputs: Record<string, unknown>, dependsOn: string[] = []): CapturedResource {
  return { type, name, inputs, protect: false, retainOnDelete: false, dependsOn };
}

const network = resource("docker:index/network:Network", "net", { name: "stack-network" });
const password = resource("random:index/randomPassword:RandomPassword", "password", { length: 8 });
const postgresImage = resource("docker:index/remoteImage:RemoteImage", "postgres-image", { name: "postgres:17" });

// The value the capture's mocks gave `output` of `captured`.
function fakeOutput(captured: CapturedResource, output: string): string {
  const fake = fakeResource({ type: captured.type, name: captured.name, inputs: captured.inputs, provider: "", id: "", custom: true });
  return String(fake.state[output]);
}

function runValues(entries: [CapturedResource, Record<string, unknown>][]): Map<string, ValueMap> {
  return new Map(entries.map(([captured, values]) => [captured.name, mapRunValues(captured, values)]));
}

describe("resolveInputs", () => {
  test("replaces names, outputs and env values", () => {
    const container = resource(
      "docker:index/container:Container",
      "db",
      {
        image: fakeOutput(postgresImage, "imageId"),
        envs: [`POSTGRES_PASSWORD=${fakeOutput(password, "result")}`, "POSTGRES_USER=newsletter"],
        networksAdvanced: [{ name: "stack-network", aliases: ["postgres"] }],
      },
      ["net", "password", "postgres-image"],
    );
    const values = runValues([
      [network, { name: "stack-network-run1" }],
      [password, { result: "s3cret" }],
      [postgresImage, { imageId: "sha256:real" }],
    ]);

    const inputs = resolveInputs(container, values);

    expect(inputs.image).toBe("sha256:real");
    expect(inputs.envs).toEqual(["POSTGRES_PASSWORD=s3cret", "POSTGRES_USER=newsletter"]);
    expect(inputs.networksAdvanced).toEqual([{ name: "stack-network-run1", aliases: ["postgres"] }]);
  });

  test("ignores resources it does not depend on", () => {
    const container = resource("docker:index/container:Container", "app", { networksAdvanced: [{ name: "stack-network" }] });
    const values = runValues([[network, { name: "stack-network-run1" }]]);

    expect(resolveInputs(container, values).networksAdvanced).toEqual([{ name: "stack-network" }]);
  });

  test("rejects a value two dependencies map differently", () => {
    const twin = resource("docker:index/network:Network", "twin", { name: "stack-network" });
    const container = resource("docker:index/container:Container", "app", { networksAdvanced: [{ name: "stack-network" }] }, ["net", "twin"]);
    const values = runValues([
      [network, { name: "stack-network-run1" }],
      [twin, { name: "stack-network-run2" }],
    ]);

    expect(() => resolveInputs(container, values)).toThrow(/more than one dependency/);
  });

  test("rejects a faked value left inside a longer string", () => {
    const container = resource("docker:index/container:Container", "app", { command: ["connect", `postgres://stack-network:5432`] }, ["net"]);
    const values = runValues([[network, { name: "stack-network-run1" }]]);

    expect(() => resolveInputs(container, values)).toThrow(/inputs\.command\[1\]/);
  });

  test("rejects an output the capture left unknown", () => {
    const container = resource("docker:index/container:Container", "app", { image: "[unknown]" });

    expect(() => resolveInputs(container, new Map())).toThrow(/inputs\.image/);
  });
});
