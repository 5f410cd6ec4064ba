import { z } from "zod";
import type { CapturedResource, CapturedStack } from "../../infra/testing/capture.ts";
import { mapRunValues, resolveInputs } from "../declared-values.ts";
import { ImageInputs } from "../resource-inputs.ts";
import { type AppSpec, parseAppSpec } from "./app-spec.ts";

const types = {
  image: "docker-build:index:Image",
  app: "digitalocean:index/app:App",
  cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  database: "digitalocean:index/databaseDb:DatabaseDb",
  user: "digitalocean:index/databaseUser:DatabaseUser",
  registryCredentials: "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials",
};

// The docker-build Image inputs of a stack that pushes: the local stack's inputs, except that
// the image goes to one registry instead of into the engine.
export const PushedImageInputs = ImageInputs.extend({
  push: z.literal(true, "must be true: App Platform pulls the image from the registry"),
  load: z.literal(false).optional(),
  registries: z
    .array(z.strictObject({ address: z.string(), username: z.string(), password: z.string() }))
    .length(1, "must name exactly one registry login, because the check replaces DOCR only"),
});
export type PushedImageInputs = z.infer<typeof PushedImageInputs>;

// What the production program declares for App Platform, as the capture recorded it.
export interface ProductionDeclaration {
  imageResource: CapturedResource;
  image: PushedImageInputs;
  appResource: CapturedResource;
  // The name of the account's DOCR registry that the image is pushed to.
  registryName: string;
  cluster: { name: string; version: string };
  databaseNames: string[];
  userNames: string[];
}

export function readProductionDeclaration(stack: CapturedStack): ProductionDeclaration {
  const imageResource = findOne(stack, types.image);
  const cluster = findOne(stack, types.cluster);
  const image = PushedImageInputs.safeParse(imageResource.inputs);
  if (!image.success) {
    throw new Error(
      `${types.image} ${imageResource.name} declares inputs the App Platform check cannot carry out:\n${z.prettifyError(image.error)}\nCarry them out in e2e/app-platform/ and list them in e2e/app-platform/production-declaration.ts.`,
    );
  }

  return {
    imageResource,
    image: image.data,
    appResource: findOne(stack, types.app),
    registryName: String(findOne(stack, types.registryCredentials).inputs.registryName),
    cluster: { name: String(cluster.inputs.name), version: String(cluster.inputs.version) },
    databaseNames: resourcesOf(stack, types.database).map((resource) => String(resource.inputs.name)),
    userNames: resourcesOf(stack, types.user).map((resource) => String(resource.inputs.name)),
  };
}

// Returns the App spec with the pushed image's real digest in place of the digest the mocks
// faked. It also checks what App Platform checks before it deploys: each component's image is
// in the repository the build pushed to, and the attached cluster, database and user exist.
export function resolveAppSpec(declaration: ProductionDeclaration, pushed: { repository: string; digest: string }): AppSpec {
  const { imageResource, appResource } = declaration;
  const runValues = new Map([[imageResource.name, mapRunValues(imageResource, { digest: pushed.digest })]]);
  const spec = parseAppSpec(appResource.name, resolveInputs(appResource, runValues).spec);

  const problems: string[] = [];
  for (const component of [...spec.services, ...spec.jobs]) {
    if (component.image.repository !== pushed.repository) {
      problems.push(`component ${component.name} deploys repository ${component.image.repository}, but the image is pushed to ${pushed.repository}`);
    }
  }
  for (const database of spec.databases) {
    if (database.clusterName !== declaration.cluster.name) {
      problems.push(`database ${database.name} attaches cluster ${database.clusterName}, but the stack declares ${declaration.cluster.name}`);
    }
    if (!declaration.databaseNames.includes(database.dbName)) {
      problems.push(`database ${database.name} names database ${database.dbName}, but the stack declares ${declaration.databaseNames.join(", ") || "none"}`);
    }
    if (database.dbUser !== undefined && !declaration.userNames.includes(database.dbUser)) {
      problems.push(`database ${database.name} names user ${database.dbUser}, but the stack declares ${declaration.userNames.join(", ") || "none"}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`App Platform would reject the spec of ${appResource.name}:\n  ${problems.join("\n  ")}`);
  }
  return spec;
}

// "registry.digitalocean.com/zero2prod/zero2prod:0123abcd" becomes "registry.digitalocean.com/zero2prod/zero2prod".
export function repositoryOf(reference: string): string {
  const lastSlash = reference.lastIndexOf("/");
  const lastColon = reference.lastIndexOf(":");
  return lastColon > lastSlash ? reference.slice(0, lastColon) : reference;
}

function findOne(stack: CapturedStack, type: string): CapturedResource {
  const found = resourcesOf(stack, type);
  if (found.length !== 1) {
    throw new Error(`Expected one ${type} in the production stack, found ${found.length}: ${found.map((resource) => resource.name).join(", ") || "none"}`);
  }
  return found[0] as CapturedResource;
}

function resourcesOf(stack: CapturedStack, type: string): CapturedResource[] {
  return stack.resources.filter((resource) => resource.type === type);
}
