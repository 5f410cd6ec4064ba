import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError, loadSettings } from "../../src/configuration/load.ts";

const directory = path.resolve(import.meta.dirname, "../../../configuration");
const password = "correct-horse-battery";

function load(env: Record<string, string>) {
  return loadSettings({ directory, env: { APP_DATABASE__PASSWORD: password, ...env } });
}

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("expected a ConfigurationError, but the settings loaded");
}

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), "configuration-"));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(folder, name), content);
  }
  return folder;
}

describe("environment files", () => {
  it("uses local.yaml when APP_ENVIRONMENT is unset", () => {
    const settings = load({});

    expect(settings.application.host).toBe("127.0.0.1");
    expect(settings.database.require_ssl).toBe(false);
  });

  it("uses production.yaml when APP_ENVIRONMENT is production", () => {
    const settings = load({ APP_ENVIRONMENT: "production", APP_DATABASE__HOST: "db.internal" });

    expect(settings.application.host).toBe("0.0.0.0");
    expect(settings.database.require_ssl).toBe(true);
  });

  it("reads APP_ENVIRONMENT case-insensitively", () => {
    const settings = load({ APP_ENVIRONMENT: "PRODUCTION", APP_DATABASE__HOST: "db.internal" });

    expect(settings.application.host).toBe("0.0.0.0");
  });

  it("keeps base.yaml keys that the environment file does not set", () => {
    const settings = load({});

    expect(settings.application.port).toBe(8000);
    expect(settings.database.database_name).toBe("newsletter");
  });

  it("rejects an unknown environment and lists the accepted ones", () => {
    const problems = problemsOf(() => load({ APP_ENVIRONMENT: "staging" }));

    expect(problems).toEqual([expect.stringContaining('APP_ENVIRONMENT is "staging"')]);
    expect(problems[0]).toContain("local, production");
  });

  it("names the file when an environment file is missing", () => {
    const folder = folderWith({ "base.yaml": "application:\n  port: 8000\n" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/Failed to read .*local\.yaml: the file does not exist/);
  });

  it("names the file when it is not valid YAML", () => {
    const folder = folderWith({ "base.yaml": "application: [port\n", "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/base\.yaml is not valid YAML/);
    expect(problems[0]).not.toMatch(/:$/);
  });

  it("rejects a key written twice in one file", () => {
    const folder = folderWith({ "base.yaml": "application:\n  port: 1\n  port: 2\n", "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/base\.yaml is not valid YAML/);
  });

  it("rejects a __proto__ key without touching prototypes", () => {
    const folder = folderWith({ "base.yaml": "application:\n  __proto__:\n    polluted: yes\n", "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems).toEqual([expect.stringMatching(/^application\.__proto__: not a known setting \(from .*base\.yaml\)/)]);
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  });

  it.each([
    ["a mapping", "extra: &a\n  self: *a\n", /^extra\.self: refers to itself through a YAML alias/],
    ["a list", "application:\n  host: &h [*h]\n", /^application\.host\.0: refers to itself through a YAML alias/],
  ])("rejects %s that contains itself", (_case, content, message) => {
    const folder = folderWith({ "base.yaml": content, "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(message);
  });

  it("rejects an unknown tag", () => {
    const folder = folderWith({ "base.yaml": "application:\n  host: !foo example\n", "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/base\.yaml is not valid YAML: .*!foo/);
  });

  it("names a top-level list as a list", () => {
    const folder = folderWith({ "base.yaml": "- port\n", "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/base\.yaml must contain a mapping of sections, not a list$/);
  });

  it("rejects an alias that expands too often", () => {
    const aliases = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const name of ["b", "c", "d", "e", "f", "g"]) {
      const previous = aliases.length === 1 ? "a" : String.fromCharCode(name.charCodeAt(0) - 1);
      aliases.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const folder = folderWith({ "base.yaml": `${aliases.join("\n")}\n`, "local.yaml": "" });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: {} }));

    expect(problems[0]).toMatch(/base\.yaml is not valid YAML: .*alias/i);
  });

  it("names the key and the file of an unknown key", () => {
    const folder = folderWith({
      "base.yaml": readFileSync(path.join(directory, "base.yaml"), "utf8"),
      "local.yaml": "application:\n  host: 127.0.0.1\n  prot: 8001\ndatabase:\n  host: x\n  require_ssl: false\n",
    });

    const problems = problemsOf(() => loadSettings({ directory: folder, env: { APP_DATABASE__PASSWORD: password } }));

    expect(problems).toEqual([expect.stringMatching(/^application\.prot: not a known setting \(from .*local\.yaml\)/)]);
  });
});

describe("APP_ variables", () => {
  it("overrides a single key with APP_SECTION__KEY", () => {
    const settings = load({ APP_APPLICATION__PORT: "8001" });

    expect(settings.application.port).toBe(8001);
    expect(settings.application.host).toBe("127.0.0.1");
  });

  it("parses booleans from strings", () => {
    const settings = load({ APP_DATABASE__REQUIRE_SSL: "true" });

    expect(settings.database.require_ssl).toBe(true);
  });

  it("keeps a numeric password as a string", () => {
    const settings = load({ APP_DATABASE__PASSWORD: "123456" });

    expect(settings.database.password).toBe("123456");
  });

  it("leaves variables without a double underscore alone", () => {
    const settings = load({ APP_URL: "https://example.test", APP_DOMAIN: "example.test" });

    expect(settings.application.port).toBe(8000);
  });

  it("rejects a port that is not a number", () => {
    const problems = problemsOf(() => load({ APP_APPLICATION__PORT: "eighty" }));

    expect(problems).toEqual([
      'application.port: expected a whole number, got "eighty" (from variable APP_APPLICATION__PORT)',
    ]);
  });

  it("rejects a port out of range", () => {
    const problems = problemsOf(() => load({ APP_APPLICATION__PORT: "70000" }));

    expect(problems[0]).toMatch(/^application\.port: must be at most 65535, got "70000"/);
  });

  it("rejects a boolean that is not true or false", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__REQUIRE_SSL: "yes" }));

    expect(problems[0]).toMatch(/^database\.require_ssl: expected true or false, got "yes"/);
  });

  it("names the variable of an unknown section", () => {
    const problems = problemsOf(() => load({ APP_DATBASE__HOST: "db" }));

    expect(problems).toEqual([expect.stringMatching(/^datbase: not a known setting \(from variable APP_DATBASE__HOST\)/)]);
  });

  it("rejects a variable with an empty key segment", () => {
    const problems = problemsOf(() => load({ APP_DATABASE____PORT: "5433" }));

    expect(problems[0]).toMatch(/^APP_DATABASE____PORT is not a settings variable/);
  });
});

describe("validation", () => {
  it("names a missing password and the variable that sets it", () => {
    const problems = problemsOf(() => loadSettings({ directory, env: {} }));

    expect(problems).toEqual([expect.stringMatching(/^database\.password: missing; .*APP_DATABASE__PASSWORD$/)]);
  });

  it("masks the password in errors", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__PASSWORD: "   " }));

    expect(problems[0]).toMatch(/^database\.password: must not be empty, got \[secret\]/);
  });

  it("masks the CA certificate in errors", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__CA_CERTIFICATE: " " }));

    expect(problems[0]).toContain("[secret]");
    expect(problems[0]).not.toContain('" "');
  });

  it("keeps the password out of every message", () => {
    const secret = "hunter2-is-not-here";

    const problems = problemsOf(() => load({ APP_DATABASE__PASSWORD: secret, APP_APPLICATION__PORT: "x" }));

    expect(problems.join("\n")).not.toContain(secret);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf(() => load({ APP_APPLICATION__PORT: "x", APP_DATABASE__POOL_MAX: "0" }));

    expect(problems).toHaveLength(2);
  });

  it("leaves the application role unset by default", () => {
    expect(load({}).database.application_role).toBeUndefined();
    expect(load({ APP_ENVIRONMENT: "production", APP_DATABASE__HOST: "db.internal" }).database.application_role).toBeUndefined();
  });

  it("reads the application role from its variable", () => {
    const settings = load({ APP_DATABASE__APPLICATION_ROLE: "newsletter_app" });

    expect(settings.database.application_role).toBe("newsletter_app");
  });

  it("rejects an application role equal to the username", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__APPLICATION_ROLE: "newsletter" }));

    expect(problems).toEqual([
      'database.application_role: must differ from database.username, the user that migrates, got "newsletter" (from variable APP_DATABASE__APPLICATION_ROLE)',
    ]);
  });

  it("accepts an application role of 63 bytes", () => {
    const role = `${"r".repeat(61)}é`;

    expect(load({ APP_DATABASE__APPLICATION_ROLE: role }).database.application_role).toBe(role);
  });

  it("rejects an application role over 63 bytes", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__APPLICATION_ROLE: `${"r".repeat(62)}é` }));

    expect(problems).toEqual([expect.stringMatching(/^database\.application_role: must be at most 63 bytes/)]);
  });

  it.each(["public", "none", "pg_monitor", "pg_read_all_data"])("rejects the reserved application role %s", (role) => {
    const problems = problemsOf(() => load({ APP_DATABASE__APPLICATION_ROLE: role }));

    expect(problems).toEqual([expect.stringMatching(/^database\.application_role: must name a role of your own/)]);
    expect(problems[0]).toContain(`got "${role}" (from variable APP_DATABASE__APPLICATION_ROLE)`);
  });

  it("accepts an application role that differs from a reserved one in case", () => {
    expect(load({ APP_DATABASE__APPLICATION_ROLE: "Public" }).database.application_role).toBe("Public");
  });

  it("rejects a blank application role", () => {
    const problems = problemsOf(() => load({ APP_DATABASE__APPLICATION_ROLE: " " }));

    expect(problems[0]).toMatch(/^database\.application_role: must not be empty/);
  });

  it("rejects a health-check path that does not start with a slash", () => {
    const problems = problemsOf(() => load({ APP_APPLICATION__HEALTH_CHECK_PATH: "health" }));

    expect(problems[0]).toMatch(/^application\.health_check_path: must be a path that starts with \//);
  });
});
