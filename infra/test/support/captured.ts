import type { CapturedResource, CapturedStack } from "../../testing/capture.ts";

// Returns the one resource of this type (and name, when given), failing loudly otherwise.
export function findResource(captured: CapturedStack, type: string, name?: string): CapturedResource {
  const matches = captured.resources.filter((resource) => resource.type === type && (name === undefined || resource.name === name));
  if (matches.length !== 1) {
    const names = captured.resources.map((resource) => `${resource.type} ${resource.name}`).join("\n  ");
    throw new Error(`Expected one ${type} ${name ?? ""}, found ${matches.length} among:\n  ${names}`);
  }
  return matches[0] as CapturedResource;
}

export function resourcesOfType(captured: CapturedStack, type: string): CapturedResource[] {
  return captured.resources.filter((resource) => resource.type === type);
}

// Turns Docker's ["KEY=value", ...] into a record.
export function environmentOf(resource: CapturedResource): Record<string, string> {
  const envs = (resource.inputs.envs ?? []) as string[];
  return Object.fromEntries(envs.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

// Runs a capture with GITHUB_SHA set, so the image tag does not depend on the checkout.
export async function withCommit<T>(sha: string, run: () => Promise<T>): Promise<T> {
  const previous = process.env.GITHUB_SHA;
  process.env.GITHUB_SHA = sha;
  try {
    return await run();
  } finally {
    if (previous === undefined) {
      delete process.env.GITHUB_SHA;
    } else {
      process.env.GITHUB_SHA = previous;
    }
  }
}

export const types = {
  image: "docker-build:index:Image",
  container: "docker:index/container:Container",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  randomPassword: "random:index/randomPassword:RandomPassword",
  app: "digitalocean:index/app:App",
  cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  database: "digitalocean:index/databaseDb:DatabaseDb",
  databaseUser: "digitalocean:index/databaseUser:DatabaseUser",
  firewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  registry: "digitalocean:index/containerRegistry:ContainerRegistry",
  registryCredentials: "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials",
  project: "digitalocean:index/project:Project",
} as const;
