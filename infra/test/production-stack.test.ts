import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSettings } from "../../app/src/configuration/load.ts";
import type { Settings } from "../../app/src/configuration/settings.ts";
import { configurationDirectory, repositoryRoot } from "../paths.ts";
import { type CapturedResource, type CapturedStack, captureStack } from "../testing/capture.ts";
import { fakeAppUrn, fakeClusterUrn, fakeDigest, fakeId, fakeLiveUrl } from "../testing/fake-outputs.ts";
import { findResource, resourcesOfType, types, withCommit } from "./support/captured.ts";

const commit = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";

interface EnvVar {
  key: string;
  value: string;
  scope: string;
  type: string;
}
interface Component {
  name: string;
  image: Record<string, unknown>;
  envs: EnvVar[];
  [key: string]: unknown;
}
interface AppSpec {
  name: string;
  region: string;
  services: Component[];
  jobs: Component[];
  databases: Array<Record<string, unknown>>;
  alerts: Array<{ rule: string }>;
  domainNames?: Array<{ name: string; type: string }>;
}

// The stack file as written, for comparing the resources with the keys that set them.
const stackFile = (parse(readFileSync(path.join(repositoryRoot, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> })
  .config;
const stackKey = (key: string) => stackFile[`zero2prod:${key}`];

let captured: CapturedStack;
let spec: AppSpec;
let settings: Settings;

function specOf(stack: CapturedStack): AppSpec {
  return findResource(stack, types.app).inputs.spec as AppSpec;
}

function service(): Component {
  return spec.services[0] as Component;
}

function job(): Component {
  return spec.jobs[0] as Component;
}

beforeAll(async () => {
  captured = await withCommit(commit, () => captureStack("production"));
  spec = specOf(captured);
  // configuration/ for production, with values for the keys App Platform binds to the cluster.
  settings = loadSettings({
    env: {
      APP_ENVIRONMENT: "production",
      APP_DATABASE__HOST: "db.example.com",
      APP_DATABASE__PORT: "25060",
      APP_DATABASE__PASSWORD: "stand-in",
      APP_DATABASE__CA_CERTIFICATE: "stand-in",
    },
    directory: configurationDirectory,
  });
});

describe("production stack image", () => {
  it("builds app/Dockerfile's runtime stage", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.context).toEqual({ location: repositoryRoot });
    expect(image.inputs.dockerfile).toEqual({ location: path.join(repositoryRoot, "app", "Dockerfile") });
    expect(image.inputs.target).toBe("runtime");
    expect(image.inputs.platforms).toEqual(["linux/amd64"]);
  });

  it("pushes the commit tag to the registry", () => {
    const image = findResource(captured, types.image);

    expect(image.inputs.tags).toEqual([`registry.digitalocean.com/${stackKey("registryName")}/zero2prod:${commit.slice(0, 12)}`]);
    expect(image.inputs.push).toBe(true);
  });

  it("logs in with write credentials as secrets", () => {
    const image = findResource(captured, types.image);
    const credentials = findResource(captured, types.registryCredentials);

    expect(credentials.inputs).toMatchObject({ registryName: stackKey("registryName"), write: true });
    expect(image.inputs.registries).toEqual([
      { address: "registry.digitalocean.com", username: "fake-docr-user", password: "fake-docr-password" },
    ]);
    expect(image.secretPaths).toEqual(expect.arrayContaining(["registries[0].username", "registries[0].password"]));
  });
});

describe("production app spec", () => {
  it("deploys the service by digest", () => {
    expect(service().image).toEqual({ registryType: "DOCR", repository: "zero2prod", digest: fakeDigest });
  });

  it("migrates in a pre-deploy job", () => {
    expect(job().kind).toBe("PRE_DEPLOY");
    expect(job().runCommand).toBe("node dist/migrate.js");
    expect(job().image).toEqual(service().image);
  });

  it("checks the configured health path", () => {
    expect(service().httpPort).toBe(settings.application.port);
    expect(service().healthCheck).toEqual({ httpPath: settings.application.health_check_path, port: settings.application.port });
  });

  function variablesOf(component: Component): Record<string, string> {
    return Object.fromEntries(component.envs.map(({ key, value }) => [key, value]));
  }

  function connectionBoundTo(component: string): Record<string, string> {
    return {
      APP_DATABASE__HOST: `\${${component}.HOSTNAME}`,
      APP_DATABASE__PORT: `\${${component}.PORT}`,
      APP_DATABASE__USERNAME: `\${${component}.USERNAME}`,
      APP_DATABASE__PASSWORD: `\${${component}.PASSWORD}`,
      APP_DATABASE__DATABASE_NAME: `\${${component}.DATABASE}`,
      APP_DATABASE__CA_CERTIFICATE: `\${${component}.CA_CERT}`,
    };
  }

  it("binds the service to the app user", () => {
    expect(variablesOf(service())).toEqual({ APP_ENVIRONMENT: "production", ...connectionBoundTo("db") });
  });

  it("binds the migration job to the admin", () => {
    const { APP_DATABASE__APPLICATION_ROLE: _role, ...connection } = variablesOf(job());

    expect(connection).toEqual({ APP_ENVIRONMENT: "production", ...connectionBoundTo("db-admin") });
  });

  it("grants the app user from the job", () => {
    expect(variablesOf(job()).APP_DATABASE__APPLICATION_ROLE).toBe("${db.USERNAME}");
    expect(variablesOf(service())).not.toHaveProperty("APP_DATABASE__APPLICATION_ROLE");
  });

  it("sets every variable at run time", () => {
    for (const component of [service(), job()]) {
      for (const env of component.envs) {
        expect(env, env.key).toMatchObject({ scope: "RUN_TIME", type: "GENERAL" });
      }
    }
  });

  it("holds no password", () => {
    const app = findResource(captured, types.app);
    const text = JSON.stringify(app.inputs);

    for (const password of ["fake-admin-password", "fake-user-password", "fake-docr-password"]) {
      expect(text).not.toContain(password);
    }
    expect(app.secretPaths).toBeUndefined();
  });

  it("attaches the cluster as db and db-admin", () => {
    const cluster = findResource(captured, types.cluster);
    const database = findResource(captured, types.database);
    const user = findResource(captured, types.databaseUser);

    expect(spec.databases).toEqual([
      {
        name: "db",
        engine: "PG",
        production: true,
        clusterName: cluster.inputs.name,
        dbName: database.inputs.name,
        dbUser: user.inputs.name,
      },
      // No dbUser, so that App Platform binds the cluster's admin (not verified on an account).
      {
        name: "db-admin",
        engine: "PG",
        production: true,
        clusterName: cluster.inputs.name,
        dbName: database.inputs.name,
      },
    ]);
  });

  it("declares the same spec on every run", async () => {
    const again = specOf(await withCommit(commit, () => captureStack("production")));

    expect(again).toEqual(spec);
  });

  it("sizes the service from the stack", () => {
    expect(service().instanceSizeSlug).toBe(stackKey("appInstanceSize"));
    expect(service().instanceCount).toBe(stackKey("appInstanceCount"));
  });

  it("runs in the cluster's App Platform region", () => {
    expect(spec.region).toBe(String(stackKey("region")).replace(/\d+$/, ""));
  });

  it("alerts on failed deployments", () => {
    expect(spec.alerts).toEqual([{ rule: "DEPLOYMENT_FAILED" }]);
    expect(spec.domainNames).toBeUndefined();
  });

  it("adds a domain with its alert", async () => {
    const withDomain = specOf(await captureStack("production", { extraConfig: { domain: "api.example.com" } }));

    expect(withDomain.domainNames).toEqual([{ name: "api.example.com", type: "PRIMARY" }]);
    expect(withDomain.alerts).toEqual([{ rule: "DEPLOYMENT_FAILED" }, { rule: "DOMAIN_FAILED" }]);
  });
});

describe("production database", () => {
  it("sizes the cluster from the stack", () => {
    const cluster = findResource(captured, types.cluster);

    expect(cluster.inputs).toMatchObject({
      engine: "pg",
      version: stackKey("databaseVersion"),
      size: stackKey("databaseSize"),
      nodeCount: stackKey("databaseNodeCount"),
      region: stackKey("region"),
    });
  });

  it("names database and user from configuration/", () => {
    expect(findResource(captured, types.database).inputs.name).toBe(settings.database.database_name);
    expect(findResource(captured, types.databaseUser).inputs.name).toBe(settings.database.username);
    expect(settings.database.username).not.toBe("doadmin");
  });

  it("drops the database before its user", () => {
    const user = findResource(captured, types.databaseUser);

    expect(findResource(captured, types.database).dependsOn).toContain(user.name);
  });

  it("admits only the app", () => {
    const app = findResource(captured, types.app);
    const firewall = findResource(captured, types.firewall);

    expect(firewall.inputs.rules).toEqual([{ type: "app", value: fakeId(app.name) }]);
    expect(firewall.inputs.clusterId).toBe(fakeId(findResource(captured, types.cluster).name));
  });

  it("protects only the cluster and database", () => {
    const protectedTypes = captured.resources.filter((resource) => resource.protect).map((resource) => resource.type);

    expect(protectedTypes.sort()).toEqual([types.cluster, types.database].sort());
  });

  it("leaves everything deletable when unprotected", async () => {
    const unprotected = await captureStack("production", { extraConfig: { protect: "false" } });

    expect(unprotected.resources.filter((resource) => resource.protect)).toEqual([]);
  });
});

describe("production registry", () => {
  it("looks up an existing registry", () => {
    expect(resourcesOfType(captured, types.registry)).toEqual([]);
    expect(findResource(captured, types.registryCredentials).dependsOn).toEqual([]);
  });

  it("creates and retains a registry", async () => {
    const created = await captureStack("production", { extraConfig: { createRegistry: "true", registryTier: "starter" } });
    const registry: CapturedResource = findResource(created, types.registry);

    expect(registry.inputs).toMatchObject({ name: stackKey("registryName"), region: stackKey("region"), subscriptionTierSlug: "starter" });
    expect(registry.retainOnDelete).toBe(true);
    expect(registry.protect).toBe(false);
    expect(findResource(created, types.registryCredentials).dependsOn).toEqual([registry.name]);
  });
});

describe("production stack", () => {
  it("groups cluster and app in a project", () => {
    const project = findResource(captured, types.project);
    const cluster = findResource(captured, types.cluster);
    const app = findResource(captured, types.app);

    expect(project.inputs.name).toBe("zero2prod-production");
    expect(project.inputs.resources).toEqual([fakeClusterUrn(cluster.name), fakeAppUrn(app.name)]);
  });

  it("outputs the URL, image and cluster", () => {
    const image = findResource(captured, types.image);
    const cluster = findResource(captured, types.cluster);

    expect(captured.outputs).toEqual({
      url: fakeLiveUrl(spec.name),
      imageRef: `${(image.inputs.tags as string[])[0]}@${fakeDigest}`,
      clusterName: cluster.inputs.name,
    });
  });

  it("creates nothing on the local engine", () => {
    expect(captured.resources.filter((resource) => resource.type.startsWith("docker:"))).toEqual([]);
  });
});
