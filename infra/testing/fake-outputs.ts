import { createHash } from "node:crypto";
import type { runtime } from "@pulumi/pulumi";

// The digest every mocked image build reports: "sha256:" and 64 hex digits.
export const fakeDigest = `sha256:${"0123456789abcdef".repeat(4)}`;

// The build context hash every mocked image build reports.
export const fakeContextHash = "fake-context-hash";

const registryServer = "registry.digitalocean.com";

type Inputs = Record<string, unknown>;

// The id of a local image, "sha256:" and 64 hex digits derived from the image name.
export function fakeImageId(imageName: string): string {
  return `sha256:${createHash("sha256").update(imageName).digest("hex")}`;
}

export function fakeClusterUrn(name: string): string {
  return `do:dbaas:${fakeId(name)}`;
}

export function fakeAppUrn(name: string): string {
  return `do:app:${fakeId(name)}`;
}

export function fakeLiveUrl(appName: string): string {
  return `https://${appName}-a1b2c.ondigitalocean.app`;
}

// Outputs the providers would compute, faked per resource type. Every value derives from the
// resource's name and inputs, so two captures of the same program return the same outputs.
const fakeResourceOutputs: Record<string, (name: string, inputs: Inputs) => Inputs> = {
  "docker-build:index:Image": (_name, inputs) => {
    const tags = Array.isArray(inputs.tags) ? inputs.tags.map(String) : [];
    return {
      digest: fakeDigest,
      ref: tags[0] === undefined ? fakeDigest : `${tags[0]}@${fakeDigest}`,
      contextHash: fakeContextHash,
    };
  },
  "digitalocean:index/containerRegistry:ContainerRegistry": (_name, inputs) => ({
    endpoint: `${registryServer}/${String(inputs.name)}`,
    serverUrl: registryServer,
  }),
  "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials": () => ({
    dockerCredentials: JSON.stringify({
      auths: { [registryServer]: { auth: Buffer.from("fake-docr-user:fake-docr-password").toString("base64") } },
    }),
  }),
  "digitalocean:index/databaseCluster:DatabaseCluster": (name, inputs) => {
    const host = `${String(inputs.name)}-do-user-0.db.ondigitalocean.com`;
    return {
      host,
      privateHost: `private-${host}`,
      port: 25060,
      user: "doadmin",
      password: "fake-admin-password",
      database: "defaultdb",
      uri: `postgresql://doadmin:fake-admin-password@${host}:25060/defaultdb?sslmode=require`,
      privateUri: `postgresql://doadmin:fake-admin-password@private-${host}:25060/defaultdb?sslmode=require`,
      clusterUrn: fakeClusterUrn(name),
      urn: fakeClusterUrn(name),
    };
  },
  "digitalocean:index/databaseUser:DatabaseUser": () => ({ password: "fake-user-password", role: "normal" }),
  "digitalocean:index/app:App": (name, inputs) => {
    const spec = (inputs.spec ?? {}) as Inputs;
    const url = fakeLiveUrl(String(spec.name ?? name));
    return { liveUrl: url, defaultIngress: url, liveDomain: new URL(url).host, appUrn: fakeAppUrn(name), urn: fakeAppUrn(name) };
  },
  "digitalocean:index/project:Project": (name) => ({ urn: `do:project:${fakeId(name)}` }),
  "docker:index/network:Network": (name, inputs) => ({ name: inputs.name ?? name, driver: inputs.driver ?? "bridge" }),
  "docker:index/volume:Volume": (name, inputs) => {
    const volumeName = String(inputs.name ?? name);
    return { name: volumeName, driver: "local", mountpoint: `/var/lib/docker/volumes/${volumeName}/_data` };
  },
  "docker:index/remoteImage:RemoteImage": (_name, inputs) => ({
    imageId: fakeImageId(String(inputs.name)),
    repoDigest: `${String(inputs.name)}@${fakeDigest}`,
  }),
  "docker:index/container:Container": (name, inputs) => ({ name: inputs.name ?? name, exitCode: 0 }),
  "random:index/randomPassword:RandomPassword": () => ({ result: "fake-random-password" }),
};

// Results of the provider functions the program calls. Any other function fails the capture, so
// a new call shows up as a missing fake and not as silently empty data.
const fakeCallResults: Record<string, (inputs: Inputs) => runtime.MockCallResult> = {
  "digitalocean:index/getContainerRegistry:getContainerRegistry": (inputs) => ({
    id: String(inputs.name),
    name: String(inputs.name),
    endpoint: `${registryServer}/${String(inputs.name)}`,
    serverUrl: registryServer,
    subscriptionTierSlug: "basic",
    region: "fra1",
    storageUsageBytes: 0,
  }),
};

// The id every mocked resource gets, unless the program reads or imports one by id.
export function fakeId(name: string): string {
  return `${name}-id`;
}

export function fakeResource(args: runtime.MockResourceArgs): runtime.MockResourceResult {
  const id = args.id !== undefined && args.id !== "" ? args.id : fakeId(args.name);
  const outputs = fakeResourceOutputs[args.type]?.(args.name, args.inputs as Inputs) ?? {};
  return { id, state: { ...(args.inputs as Inputs), ...outputs } };
}

export function fakeCall(args: runtime.MockCallArgs): runtime.MockCallResult {
  const result = fakeCallResults[args.token];
  if (result === undefined) {
    throw new Error(`The capture has no fake result for the provider function ${args.token}: add one to infra/testing/fake-outputs.ts`);
  }
  return result(args.inputs as Inputs);
}
