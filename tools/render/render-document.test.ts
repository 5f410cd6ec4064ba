import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { CapturedResource, CapturedStack } from "../../infra/testing/capture.ts";
import { renderDocument } from "./render-document.ts";

const root = "/checkouts/head";

function resource(overrides: Partial<CapturedResource> & Pick<CapturedResource, "type" | "name">): CapturedResource {
  return { inputs: {}, protect: false, retainOnDelete: false, dependsOn: [], ...overrides };
}

const captured: CapturedStack = {
  resources: [
    resource({
      type: "digitalocean:index/app:App",
      name: "web",
      parent: "deployment",
      dependsOn: ["image", "cluster"],
      inputs: {
        spec: { name: "zero2prod", envs: [{ value: "hunter2", key: "APP_DATABASE__PASSWORD" }], region: "fra" },
        sourceDir: `${root}/app`,
      },
    }),
    resource({
      type: "digitalocean:index/databaseCluster:DatabaseCluster",
      name: "cluster",
      protect: true,
      inputs: { size: "db-s-1vcpu-1gb", adminToken: "tok-123" },
    }),
    resource({
      type: "docker-build:index:Image",
      name: "image",
      inputs: { context: { location: root }, registries: [{ password: "pw-from-provider", address: "r" }] },
      secretPaths: ["registries[0].password"],
    }),
  ],
  outputs: { url: "https://zero2prod.example.com", connection: "postgresql://doadmin:pw@db:25060/defaultdb" },
};

describe("renderDocument", () => {
  it("lists resources sorted by type and name", () => {
    const document = parse(renderDocument("production", captured, root));

    expect(document.stack).toBe("production");
    expect(document.resources.map((item: CapturedResource) => `${item.type} ${item.name}`)).toEqual([
      "digitalocean:index/app:App web",
      "digitalocean:index/databaseCluster:DatabaseCluster cluster",
      "docker-build:index:Image image",
    ]);
  });

  it("renders the same text for any registration order", () => {
    const reversed: CapturedStack = { ...captured, resources: [...captured.resources].reverse() };

    expect(renderDocument("production", reversed, root)).toBe(renderDocument("production", captured, root));
  });

  it("sorts input keys and dependencies", () => {
    const text = renderDocument("production", captured, root);

    expect(text).toContain("    dependsOn:\n      - cluster\n      - image\n");
    expect(text.indexOf("envs:")).toBeLessThan(text.indexOf("region: fra"));
    expect(text).toContain("          - key: APP_DATABASE__PASSWORD\n            value: \"[secret]\"\n");
  });

  it("puts type, name and parent before the inputs", () => {
    const text = renderDocument("production", captured, root);

    expect(text).toContain(
      "  - type: digitalocean:index/app:App\n    name: web\n    parent: deployment\n    protect: false\n    retainOnDelete: false\n",
    );
  });

  it("hides secrets by path and by name", () => {
    const text = renderDocument("production", captured, root);

    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("pw-from-provider");
    expect(text).not.toContain("tok-123");
    expect(text).not.toContain("doadmin:pw");
  });

  it("shows paths relative to the checkout", () => {
    const document = parse(renderDocument("production", captured, `${root}/`));

    expect(document.resources[0].inputs.sourceDir).toBe("./app");
    expect(document.resources[2].inputs.context.location).toBe(".");
  });

  it("keeps the captured stack unchanged", () => {
    renderDocument("production", captured, root);

    expect(captured.resources[2]?.inputs).toEqual({
      context: { location: root },
      registries: [{ password: "pw-from-provider", address: "r" }],
    });
  });
});
