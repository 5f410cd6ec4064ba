import { readFileSync } from "node:fs";
import path from "node:path";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";

export interface RegistryLogin {
  address: pulumi.Input<string>;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
}

export interface ServiceImageArgs {
  // The build context: the repository root as an absolute path, which contains app/Dockerfile.
  context: string;
  // The image name without the tag, such as registry.digitalocean.com/zero2prod/zero2prod.
  repository: pulumi.Input<string>;
  // Usually the short git commit.
  tag: string;
  // true pushes to the registry in `registry`, and false loads the image into the local engine.
  push: boolean;
  registry?: RegistryLogin;
  // Base image overrides. The Dockerfile's own defaults apply when unset.
  nodeImage?: string;
  runtimeImage?: string;
  // The absolute path of a CA bundle, handed to the build as the secret npm_ca.
  npmCaFile?: string;
}

// The service's container image, built from app/Dockerfile's `runtime` stage for linux/amd64.
export class ServiceImage extends pulumi.ComponentResource {
  // The image name with its tag, such as zero2prod:0123abcd4567.
  readonly taggedName: pulumi.Output<string>;
  // The manifest digest, "sha256:" and 64 hex digits.
  readonly digest: pulumi.Output<string>;
  // The pinned reference <name>:<tag>@<digest> when pushed, or the tagged name when only loaded.
  readonly ref: pulumi.Output<string>;
  // A hash of the build context, which changes whenever the image may change.
  readonly contextHash: pulumi.Output<string>;

  constructor(name: string, args: ServiceImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zero2prod:index:ServiceImage", name, {}, opts);

    this.taggedName = pulumi.interpolate`${args.repository}:${args.tag}`;
    const image = this.createImage(name, args);
    this.digest = image.digest;
    this.ref = image.ref;
    this.contextHash = image.contextHash;

    this.registerOutputs({ taggedName: this.taggedName, digest: this.digest, ref: this.ref, contextHash: this.contextHash });
  }

  private createImage(name: string, args: ServiceImageArgs): dockerBuild.Image {
    return new dockerBuild.Image(
      `${name}-build`,
      {
        context: { location: args.context },
        dockerfile: { location: path.join(args.context, "app", "Dockerfile") },
        target: "runtime",
        platforms: ["linux/amd64"],
        tags: [this.taggedName],
        buildArgs: normalizeBuildArgs(args),
        secrets: normalizeSecrets(args),
        push: args.push,
        load: !args.push,
        registries: args.registry === undefined ? undefined : [args.registry],
      },
      { parent: this },
    );
  }
}

// Passes a base image only when the stack sets it, so the Dockerfile's defaults stay the defaults.
function normalizeBuildArgs(args: ServiceImageArgs): Record<string, string> | undefined {
  const buildArgs: Record<string, string> = {};
  if (args.nodeImage !== undefined) {
    buildArgs.NODE_IMAGE = args.nodeImage;
  }
  if (args.runtimeImage !== undefined) {
    buildArgs.RUNTIME_IMAGE = args.runtimeImage;
  }
  return Object.keys(buildArgs).length > 0 ? buildArgs : undefined;
}

// BuildKit mounts a secret for one RUN step only, so the CA bundle never lands in a layer.
function normalizeSecrets(args: ServiceImageArgs): Record<string, pulumi.Output<string>> | undefined {
  if (args.npmCaFile === undefined) {
    return undefined;
  }
  const bundle = readFileSync(args.npmCaFile, "utf8");
  return { npm_ca: pulumi.secret(bundle) };
}
