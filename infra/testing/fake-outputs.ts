import type { runtime } from "@pulumi/pulumi";

// The digest every mocked image build reports: "sha256:" and 64 hex digits.
export const fakeDigest = `sha256:${"0123456789abcdef".repeat(4)}`;

const registryServer = "registry.digitalocean.com";

type Inputs = Record<string, unknown>;

// Outputs the providers would compute, faked per resource type. Every value derives from the
// resource's name and inputs, so two captures of the same program return the same outputs.
const fakeResourceOutputs: Record<string, (name: string, inputs: Inputs, id: string) => Inputs> = {
  "docker-build:index:Image": (_name, inputs) => {
    const tags = Array.isArray(inputs.tags) ? inputs.tags.map(String) : [];
    return { digest: fakeDigest, ref: tags[0] === undefined ? fakeDigest : `${tags[0]}@${fakeDigest}` };
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
  "digitalocean:index/databaseCluster:DatabaseCluster": (_name, inputs, id) => {
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
      clusterUrn: `do:dbaas:${id}`,
      urn: `do:dbaas:${id}`,
    };
  },
  "digitalocean:index/databaseUser:DatabaseUser": () => ({ password: "fake-user-password", role: "normal" }),
  "digitalocean:index/app:App": (_name, inputs, id) => {
    const spec = (inputs.spec ?? {}) as Inputs;
    const url = `https://${String(spec.name ?? "app")}-a1b2c.ondigitalocean.app`;
    return { liveUrl: url, defaultIngress: url, liveDomain: url.slice("https://".length), appUrn: `do:app:${id}`, urn: `do:app:${id}` };
  },
  "digitalocean:index/project:Project": (_name, _inputs, id) => ({ urn: `do:project:${id}` }),
  "docker:index/network:Network": (name, inputs) => ({ name: inputs.name ?? name, driver: inputs.driver ?? "bridge" }),
  "docker:index/volume:Volume": (name, inputs) => {
    const volumeName = String(inputs.name ?? name);
    return { name: volumeName, driver: "local", mountpoint: `/var/lib/docker/volumes/${volumeName}/_data` };
  },
  "docker:index/remoteImage:RemoteImage": (_name, inputs) => ({
    imageId: fakeDigest,
    repoDigest: `${String(inputs.name)}@${fakeDigest}`,
  }),
  "docker:index/container:Container": (name, inputs) => ({ name: inputs.name ?? name, exitCode: 0 }),
  "random:index/randomPassword:RandomPassword": () => ({ result: "fake-random-password" }),
};

// Returns what each stored registry lookup would return; any other provider function fails the
// capture, so a new call shows up as a missing fake instead of as silently empty data.
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

export function fakeResource(args: runtime.MockResourceArgs): runtime.MockResourceResult {
  const id = args.id !== undefined && args.id !== "" ? args.id : `${args.name}-id`;
  const outputs = fakeResourceOutputs[args.type]?.(args.name, args.inputs as Inputs, id) ?? {};
  return { id, state: { ...(args.inputs as Inputs), ...outputs } };
}

export function fakeCall(args: runtime.MockCallArgs): runtime.MockCallResult {
  const result = fakeCallResults[args.token];
  if (result === undefined) {
    throw new Error(`The capture has no fake result for the provider function ${args.token}: add one to infra/testing/fake-outputs.ts`);
  }
  return result(args.inputs as Inputs);
}
