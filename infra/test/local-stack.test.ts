import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../app/src/configuration/load.ts";
import type { Settings } from "../../app/src/configuration/settings.ts";
import { configurationDirectory, repositoryRoot } from "../paths.ts";
import { type CapturedStack, captureStack } from "../testing/capture.ts";
import { fakeContextHash, fakeDigest, fakeImageId } from "../testing/fake-outputs.ts";
import { environmentOf, findResource, types, withCommit } from "./support/captured.ts";

const commit = "4f2a9c1e7b3d8a6f5e4d3c2b1a0f9e8d7c6b5a49";

let captured: CapturedStack;
let settings: Settings;

function container(suffix: string) {
  return findResource(captured, types.container, `zero2prod-local-${suffix}`);
}

beforeAll(async () => {
  captured = await withCommit(commit, () => captureStack("local"));
  // What the service loads with the environment its container gets.
  settings = loadSettings({ env: environmentOf(container("app")), directory: configurationDirectory });
});

describe("local stack image", () => {
  it("builds app/Dockerfile's runtime stage", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.context).toEqual({ location: repositoryRoot });
    expect(image.inputs.dockerfile).toEqual({ location: path.join(repositoryRoot, "app", "Dockerfile") });
    expect(image.inputs.target).toBe("runtime");
    expect(image.inputs.platforms).toEqual(["linux/amd64"]);
  });

  it("tags the image with the commit", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.tags).toEqual([`zero2prod:${commit.slice(0, 12)}`]);
  });

  it("loads the image without pushing", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.push).toBe(false);
    expect(image.inputs.load).toBe(true);
    expect(image.inputs.registries).toBeUndefined();
  });

  it("leaves the base images to the Dockerfile", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.buildArgs).toBeUndefined();
    expect(image.inputs.secrets).toBeUndefined();
  });

  it("passes base images and CA bundle", async () => {
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), "zero2prod-ca-")), "ca.pem");
    writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n");
    const withOverrides = await captureStack("local", {
      extraConfig: { nodeImage: "node-stand-in:24", runtimeImage: "runtime-stand-in:24", npmCaFile: caFile },
    });
    const image = findResource(withOverrides, types.image);

    expect(image.inputs.buildArgs).toEqual({ NODE_IMAGE: "node-stand-in:24", RUNTIME_IMAGE: "runtime-stand-in:24" });
    expect(Object.keys(image.inputs.secrets as object)).toEqual(["npm_ca"]);
    expect(image.secretPaths).toContain("secrets");
  });
});

describe("local stack containers", () => {
  it("share the stack's own network", () => {
    const network = findResource(captured, types.network);

    for (const suffix of ["postgres", "migrate", "app"]) {
      expect(container(suffix).inputs.networksAdvanced).toMatchObject([{ name: network.inputs.name }]);
    }
  });

  it("reach PostgreSQL by its network alias", () => {
    const aliases = (container("postgres").inputs.networksAdvanced as Array<{ aliases?: string[] }>)[0]?.aliases;

    expect(aliases).toContain(settings.database.host);
  });

  it("run postgres:17 on a named volume", () => {
    const postgresImage = findResource(captured, types.remoteImage, "zero2prod-local-postgres-image");
    const volume = findResource(captured, types.volume);

    expect(postgresImage.inputs).toMatchObject({ name: "postgres:17", keepLocally: true });
    expect(container("postgres").inputs.image).toBe(fakeImageId("postgres:17"));
    expect(container("postgres").inputs.volumes).toEqual([
      { volumeName: volume.inputs.name, containerPath: "/var/lib/postgresql/data" },
    ]);
  });

  it("create user and database from configuration/", () => {
    const postgres = environmentOf(container("postgres"));

    expect(postgres.POSTGRES_USER).toBe(settings.database.username);
    expect(postgres.POSTGRES_DB).toBe(settings.database.database_name);
    expect(postgres.PGPORT).toBe(String(settings.database.port));
  });

  it("share the password as a secret", () => {
    const password = findResource(captured, types.randomPassword);

    expect(environmentOf(container("postgres")).POSTGRES_PASSWORD).toBe("fake-random-password");
    expect(environmentOf(container("app")).APP_DATABASE__PASSWORD).toBe("fake-random-password");
    expect(container("postgres").secretPaths).toEqual(["envs"]);
    expect(container("app").secretPaths).toEqual(["envs"]);
    expect(container("postgres").dependsOn).toContain(password.name);
  });

  it("wait for a healthy PostgreSQL", () => {
    const postgres = container("postgres");

    expect(postgres.inputs.wait).toBe(true);
    expect((postgres.inputs.healthcheck as { tests: string[] }).tests.slice(0, 2)).toEqual(["CMD", "pg_isready"]);
  });

  it("configure the service for the container", () => {
    const variables = environmentOf(container("app"));

    expect(variables.APP_ENVIRONMENT).toBe("local");
    expect(variables.APP_APPLICATION__HOST).toBe("0.0.0.0");
    expect(variables.APP_DATABASE__HOST).toBe("postgres");
  });

  it("publish the configured port on loopback", () => {
    const port = settings.application.port;

    expect(container("app").inputs.ports).toEqual([{ internal: port, external: port, ip: "127.0.0.1" }]);
  });

  it("probe the configured health check path", () => {
    const probe = (container("app").inputs.healthcheck as { tests: string[] }).tests.join(" ");

    expect(probe).toContain(`http://127.0.0.1:${settings.application.port}${settings.application.health_check_path}`);
    expect(container("app").inputs.wait).toBe(true);
  });

  it("migrate before the service starts", () => {
    const migrate = container("migrate");

    expect(migrate.inputs.command).toEqual(["node", "dist/migrate.js"]);
    expect(migrate.inputs.attach).toBe(true);
    expect(migrate.inputs.mustRun).toBe(false);
    expect(migrate.dependsOn).toContain("zero2prod-local-postgres");
    expect(container("app").dependsOn).toContain("zero2prod-local-migrate");
  });

  it("migrate with the service's image", () => {
    expect(container("migrate").inputs.image).toBe(container("app").inputs.image);
    expect(container("migrate").inputs.envs).toEqual(container("app").inputs.envs);
  });

  it("fail the update when migrations fail", async () => {
    const failing = captureStack("local", { outputOverrides: { "zero2prod-local-migrate": { exitCode: 3 } } });

    await expect(failing).rejects.toThrow(/migration container zero2prod-local-migrate exited with code 3/);
  });
});

describe("local stack", () => {
  it("protects nothing", () => {
    expect(captured.resources.filter((resource) => resource.protect).map((resource) => resource.name)).toEqual([]);
  });

  it("creates nothing on DigitalOcean", () => {
    expect(captured.resources.filter((resource) => resource.type.startsWith("digitalocean:"))).toEqual([]);
  });

  it("outputs the service URL", () => {
    expect(captured.outputs).toEqual({ url: `http://127.0.0.1:${settings.application.port}` });
  });

  it("runs the built image by id", () => {
    const tag = (findResource(captured, types.image).inputs.tags as string[])[0] as string;
    const builtImage = findResource(captured, types.remoteImage, "zero2prod-local-image-id");

    expect(builtImage.inputs).toMatchObject({ name: tag, keepLocally: true });
    expect(builtImage.inputs.triggers).toEqual({ digest: fakeDigest, contextHash: fakeContextHash });
    expect(container("migrate").inputs.image).toBe(fakeImageId(tag));
    expect(container("app").inputs.image).toBe(fakeImageId(tag));
    expect(builtImage.dependsOn).toContain("zero2prod-local-image-build");
  });
});
