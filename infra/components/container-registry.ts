import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryLogin } from "./service-image.ts";

export interface ContainerRegistryArgs {
  // The account's registry name. DigitalOcean allows one registry per account.
  registryName: string;
  // false looks the registry up, and true creates it and keeps it when the stack is destroyed.
  create: boolean;
  region: string;
  // Used only when creating: starter, basic or professional.
  tier: string;
}

// The account's DigitalOcean Container Registry and push credentials for it.
export class ContainerRegistry extends pulumi.ComponentResource {
  readonly registryName: pulumi.Output<string>;
  // The image name prefix, registry.digitalocean.com/<registry name>.
  readonly endpoint: pulumi.Output<string>;
  readonly login: RegistryLogin;

  constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zero2prod:index:ContainerRegistry", name, {}, opts);

    const registry = args.create ? this.createRegistry(name, args) : this.lookupRegistry(args);
    this.registryName = registry.name;
    this.endpoint = registry.endpoint;
    this.login = this.createPushLogin(name, registry);

    this.registerOutputs({ registryName: this.registryName, endpoint: this.endpoint });
  }

  private lookupRegistry(args: ContainerRegistryArgs): RegistryAddress {
    const registry = digitalocean.getContainerRegistryOutput({ name: args.registryName }, { parent: this });
    return { name: registry.name, endpoint: registry.endpoint, serverUrl: registry.serverUrl };
  }

  // Other stacks of the account push to the same registry, so destroying this stack leaves it.
  private createRegistry(name: string, args: ContainerRegistryArgs): RegistryAddress {
    const registry = new digitalocean.ContainerRegistry(
      `${name}-registry`,
      { name: args.registryName, region: args.region, subscriptionTierSlug: args.tier },
      { parent: this, retainOnDelete: true },
    );
    return { name: registry.name, endpoint: registry.endpoint, serverUrl: registry.serverUrl };
  }

  private createPushLogin(name: string, registry: RegistryAddress): RegistryLogin {
    const credentials = new digitalocean.ContainerRegistryDockerCredentials(
      `${name}-push-credentials`,
      { registryName: registry.name, write: true },
      { parent: this },
    );
    const login = pulumi
      .all([credentials.dockerCredentials, registry.serverUrl])
      .apply(([dockerConfig, serverUrl]) => parseDockerConfig(dockerConfig, serverUrl));

    return {
      address: registry.serverUrl,
      username: pulumi.secret(login.username),
      password: pulumi.secret(login.password),
    };
  }
}

interface RegistryAddress {
  name: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  serverUrl: pulumi.Output<string>;
}

// Reads the login for one server from a Docker config.json: auths.<server>.auth is base64 of
// "<username>:<password>".
export function parseDockerConfig(dockerConfig: string, serverUrl: string): { username: string; password: string } {
  const auths = (JSON.parse(dockerConfig) as { auths?: Record<string, { auth?: string }> }).auths ?? {};
  const auth = auths[serverUrl]?.auth;
  if (auth === undefined) {
    throw new Error(
      `The registry credentials from DigitalOcean have no login for ${serverUrl} (they cover ${Object.keys(auths).join(", ") || "no server"}): check the registry name and the token's registry scope.`,
    );
  }
  const decoded = Buffer.from(auth, "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}
