import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { captureStack, type CaptureOptions, type CapturedStack } from "../infra/testing/capture.ts";
import { DockerEngine, runDocker } from "./docker-engine.ts";
import { buildImage } from "./image-build.ts";
import { LocalStackRun, type RunContainer } from "./local-stack.ts";
import { ImageInputs } from "./resource-inputs.ts";

// Carries out what the program declares for the `local` stack on the real engine, then checks
// the running service. Which container is which comes from what each declares (published
// ports, the PostgreSQL variables, attach), never from names typed here.

// The folder of Pulumi.yaml, from which Pulumi resolves the build context.
const projectRoot = fileURLToPath(new URL("..", import.meta.url));
// A CA bundle that the program hands to the image build as the npm_ca secret, for machines
// whose proxy intercepts TLS; skipped when the file does not exist.
const caBundle = process.env.E2E_NPM_CA_FILE ?? "/etc/ssl/certs/ca-certificates.crt";
const requestTimeoutMs = 5_000;

const runId = `e2e-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const engine = new DockerEngine();
const run = new LocalStackRun(engine, runId, projectRoot);
const captureOptions: CaptureOptions = { extraConfig: existsSync(caBundle) ? { npmCaFile: caBundle } : {} };
let stack: CapturedStack;
// Tags of images built by the tests themselves, removed after the run.
const extraTags: string[] = [];

beforeAll(async () => {
  stack = await captureStack("local", captureOptions);
  await run.deploy(stack.resources);
});

afterAll(async () => {
  for (const tag of extraTags) {
    await runDocker(["image", "rm", tag]).catch(() => undefined);
  }
  await run.destroy();
});

describe("local stack", () => {
  test("migration container exits 0", async () => {
    const migration = findContainer("the container that runs to completion (attach)", (container) => container.inputs.attach === true);

    const { State } = await engine.call<{ State: { Running: boolean; ExitCode: number } }>("GET", `/containers/${migration.id}/json`);

    expect(State.Running).toBe(false);
    expect(State.ExitCode).toBe(0);
  });

  test("health check returns 200 with an empty body", async () => {
    const response = await fetch(new URL("/health_check", serviceUrl()), { signal: AbortSignal.timeout(requestTimeoutMs) });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  test("subscription is stored in PostgreSQL", async () => {
    const email = `stored-${runId}@example.com`;

    const response = await subscribe("Ursula Le Guin", email);

    expect(response.status).toBe(200);
    expect(await queryDatabase("SELECT name FROM subscriptions WHERE email = :'email';", { email })).toBe("Ursula Le Guin");
  });

  test("duplicate subscription stores nothing new", async () => {
    const email = `duplicate-${runId}@example.com`;
    await subscribe("Ursula Le Guin", email);

    const response = await subscribe("Someone Else", email);

    expect(response.status).toBe(200);
    expect(await queryDatabase("SELECT count(*) FROM subscriptions WHERE email = :'email';", { email })).toBe("1");
    expect(await queryDatabase("SELECT name FROM subscriptions WHERE email = :'email';", { email })).toBe("Ursula Le Guin");
  });

  test("service runs as a non-root user", async () => {
    const service = serviceContainer();
    const image = await engine.call<{ Config: { User: string } }>("GET", `/images/${encodeURIComponent(service.inputs.image)}/json`);

    const uid = (await runDocker(["exec", service.id, "id", "-u"])).trim();

    expect(image.Config.User).not.toBe("");
    expect(image.Config.User).not.toBe("root");
    expect(uid).not.toBe("0");
  });

  test("image contains only bundle, migrations, configuration", async () => {
    const service = serviceContainer();

    const listing = await runDocker(["run", "--rm", "--entrypoint", "ls", service.inputs.image, "-A", "/app"]);

    expect(listing.split("\n").filter((line) => line !== "").sort()).toEqual(["configuration", "dist", "migrations"]);
  });

  // What `pulumi up` would compare: with no change, the program declares the same inputs and the
  // build gives the same image, so a second `pulumi up` reports no changes.
  test("second run without changes declares identical inputs", async () => {
    const again = await captureStack("local", captureOptions);
    const declared = again.resources.find((resource) => resource.type === "docker-build:index:Image");
    const [firstImage] = run.images;

    const rebuilt = await buildImage(ImageInputs.parse(declared?.inputs), `${runId}-again`, projectRoot);
    extraTags.push(...rebuilt.tags);

    expect(again.resources).toEqual(stack.resources);
    expect(again.outputs).toEqual(stack.outputs);
    expect(rebuilt.id).toBe(firstImage?.id);
  });

  // Runs last: it stops the service.
  test("service runs as PID 1 and exits 0 on SIGTERM", async () => {
    const service = serviceContainer();
    const stopTimeoutS = 10;
    // Node renames its main thread, so /proc/1/comm shows "MainThread"; argv[0] shows the program.
    const [pidOneProgram] = (await runDocker(["exec", service.id, "cat", "/proc/1/cmdline"])).split("\0");

    const started = Date.now();
    await engine.call("POST", `/containers/${service.id}/stop?t=${stopTimeoutS}`);
    const elapsedS = (Date.now() - started) / 1000;
    const { State } = await engine.call<{ State: { ExitCode: number } }>("GET", `/containers/${service.id}/json`);

    expect(pidOneProgram).toBe("node");
    expect(State.ExitCode).toBe(0);
    expect(elapsedS).toBeLessThan(stopTimeoutS);
  });
});

function serviceUrl(): string {
  const url = stack.outputs.url;
  if (typeof url !== "string") {
    throw new Error(`The local stack's output url is ${JSON.stringify(url)}, expected the service's address such as http://127.0.0.1:8000`);
  }
  return url;
}

function findContainer(description: string, matches: (container: RunContainer) => boolean): RunContainer {
  const found = run.containers.filter(matches);
  if (found.length !== 1) {
    throw new Error(`Expected exactly one ${description} in the local stack, found ${found.length}: ${found.map((container) => container.resourceName).join(", ") || "none"}`);
  }
  return found[0] as RunContainer;
}

function serviceContainer(): RunContainer {
  return findContainer("container that publishes a port", (container) => (container.inputs.ports ?? []).length > 0);
}

function declaredEnv(container: RunContainer, name: string): string | undefined {
  const entry = (container.inputs.envs ?? []).find((env) => env.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

async function subscribe(name: string, email: string): Promise<Response> {
  return fetch(new URL("/subscriptions", serviceUrl()), {
    method: "POST",
    body: new URLSearchParams({ name, email }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
}

// Runs SQL with psql inside the PostgreSQL container, as the user and database its variables
// declare. Each entry of `variables` becomes a psql variable, which the SQL quotes as :'name'.
async function queryDatabase(sql: string, variables: Record<string, string>): Promise<string> {
  const postgres = findContainer("container with POSTGRES_DB", (container) => declaredEnv(container, "POSTGRES_DB") !== undefined);
  const user = declaredEnv(postgres, "POSTGRES_USER") ?? "postgres";
  const database = declaredEnv(postgres, "POSTGRES_DB") ?? user;
  const variableArgs = Object.entries(variables).flatMap(([name, value]) => ["--set", `${name}=${value}`]);

  const output = await runDocker(
    ["exec", "-i", postgres.id, "psql", "--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--username", user, "--dbname", database, ...variableArgs],
    { input: sql },
  );
  return output.trim();
}
