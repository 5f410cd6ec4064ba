import * as pulumi from "@pulumi/pulumi";
import { DigitalOceanDeployment } from "./components/digitalocean-deployment.ts";
import { LocalDeployment } from "./components/local-deployment.ts";
import { readStackSettings } from "./config.ts";
import { readImageTag } from "./image-tag.ts";
import { repositoryRoot } from "./paths.ts";

// Pulumi runs this function and publishes what it returns as the stack outputs.
export default async () => {
  const stack = readStackSettings();
  const name = `${pulumi.getProject()}-${pulumi.getStack()}`;
  const imageTag = readImageTag();

  if (stack.platform === "docker") {
    const local = new LocalDeployment(name, { image: stack, context: repositoryRoot, imageTag });
    return { url: local.url };
  }

  const deployment = new DigitalOceanDeployment(name, { stack, context: repositoryRoot, imageTag });
  return { url: deployment.url, imageRef: deployment.imageRef, clusterName: deployment.clusterName };
};
