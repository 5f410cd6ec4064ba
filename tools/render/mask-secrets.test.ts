import { describe, expect, it } from "vitest";
import { isSensitiveName, maskSecretPaths, maskSensitiveValues, secretPlaceholder } from "./mask-secrets.ts";

describe("maskSecretPaths", () => {
  const inputs = {
    name: "zero2prod",
    registries: [{ server: "registry.digitalocean.com", password: "hunter2" }],
    spec: { envs: [{ key: "A", value: "plain" }, { key: "B", value: "s3cret" }] },
  };

  it("masks the value at each path", () => {
    const masked = maskSecretPaths(inputs, ["registries[0].password", "spec.envs[1].value"]);

    expect(masked).toEqual({
      name: "zero2prod",
      registries: [{ server: "registry.digitalocean.com", password: secretPlaceholder }],
      spec: { envs: [{ key: "A", value: "plain" }, { key: "B", value: secretPlaceholder }] },
    });
  });

  it("masks a whole top-level value", () => {
    expect(maskSecretPaths(inputs, ["spec"]).spec).toBe(secretPlaceholder);
  });

  it("leaves the input unchanged", () => {
    maskSecretPaths(inputs, ["spec.envs[1].value"]);

    expect(inputs.spec.envs[1]?.value).toBe("s3cret");
  });

  it("masks the deepest value reached by an unresolved path", () => {
    const labelled = { labels: { "app.kubernetes.io/name": "token-value" }, other: 1 };

    expect(maskSecretPaths(labelled, ["labels.app.kubernetes.io/name"])).toEqual({ labels: secretPlaceholder, other: 1 });
  });

  it("masks an array index past the end by masking the array", () => {
    expect(maskSecretPaths({ list: ["a"] }, ["list[3]"])).toEqual({ list: secretPlaceholder });
  });
});

describe("isSensitiveName", () => {
  it.each([
    "password",
    "dbPassword",
    "APP_DATABASE__PASSWORD",
    "DIGITALOCEAN_TOKEN",
    "dockerCredentials",
    "docker-credentials",
    "apiKey",
    "private_key",
    "AWS_SECRET_ACCESS_KEY",
    "clientSecret",
    "passphrase",
  ])("flags %j", (name) => {
    expect(isSensitiveName(name)).toBe(true);
  });

  it.each(["name", "region", "tokenizer", "author", "keyId", "host", "liveUrl", "passwordless"])("does not flag %j", (name) => {
    expect(isSensitiveName(name)).toBe(false);
  });
});

describe("maskSensitiveValues", () => {
  it("masks values under credential keys at any depth", () => {
    const masked = maskSensitiveValues({ a: { b: [{ password: "x", user: "doadmin" }] }, token: "t" });

    expect(masked).toEqual({ a: { b: [{ password: secretPlaceholder, user: "doadmin" }] }, token: secretPlaceholder });
  });

  it("masks an environment entry's value by its key or type", () => {
    const envs = [
      { key: "APP_DATABASE__PASSWORD", value: "plain-looking", scope: "RUN_TIME" },
      { key: "SESSION", value: "abc", type: "SECRET" },
      { key: "APP_APPLICATION__PORT", value: "8000", type: "GENERAL" },
    ];

    expect(maskSensitiveValues(envs)).toEqual([
      { key: "APP_DATABASE__PASSWORD", value: secretPlaceholder, scope: "RUN_TIME" },
      { key: "SESSION", value: secretPlaceholder, type: "SECRET" },
      { key: "APP_APPLICATION__PORT", value: "8000", type: "GENERAL" },
    ]);
  });

  it("masks any string with a password in a URL", () => {
    const masked = maskSensitiveValues({ uri: "postgresql://doadmin:pw@db.example.com:25060/defaultdb", web: "https://example.com/a" });

    expect(masked).toEqual({ uri: secretPlaceholder, web: "https://example.com/a" });
  });

  it("keeps bindable references, flags and empty values readable", () => {
    const input = {
      envs: [{ key: "APP_DATABASE__PASSWORD", value: "${db.PASSWORD}" }],
      passwordEnabled: true,
      tokenCount: 3,
      secret: "",
    };

    expect(maskSensitiveValues(input)).toEqual(input);
  });
});
