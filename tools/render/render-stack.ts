import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CaptureOptions, CapturedStack } from "../../infra/testing/capture.ts";
import { buildReviewStackFile, templatePath } from "../review-stack/review-config.ts";
import { isReviewStackName } from "../review-stack/stack-name.ts";
import { renderDocument } from "./render-document.ts";

type CaptureStack = (stack: string, options?: CaptureOptions) => Promise<CapturedStack>;

const ownTemplate = path.resolve(import.meta.dirname, "../..", templatePath);

// Evaluates the Pulumi program in `root` (a checkout of this repository) for one stack and
// returns the rendered YAML. Call it once per process, because Pulumi's mocks are process-global.
export async function renderStack(root: string, stack: string): Promise<string> {
  return renderDocument(stack, await captureForRender(root, stack), root);
}

// Captures one stack of the checkout in `root` with its captureStack. A review stack (pr-<n>)
// gets the stack file that the review workflow writes: Pulumi.production.yaml with the review
// template applied.
export async function captureForRender(root: string, stack: string): Promise<CapturedStack> {
  const captureFile = path.join(root, "infra/testing/capture.ts");
  if (!existsSync(captureFile)) {
    throw new Error(`Failed to render ${stack}: ${captureFile} not found, so this checkout cannot be evaluated offline`);
  }
  const { captureStack } = (await import(pathToFileURL(captureFile).href)) as { captureStack: CaptureStack };

  const folder = mkdtempSync(path.join(tmpdir(), "render-"));
  try {
    const options: CaptureOptions = {};
    if (isReviewStackName(stack)) {
      options.configFile = path.join(folder, `Pulumi.${stack}.yaml`);
      writeFileSync(options.configFile, reviewStackFile(root, stack));
    }
    return await withStdoutToStderr(() => captureStack(stack, options));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// The checkout's own template when it has one, so a revision renders with the template it had.
function reviewStackFile(root: string, stack: string): string {
  const template = existsSync(path.join(root, templatePath)) ? path.join(root, templatePath) : ownTemplate;
  return buildReviewStackFile(
    readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"),
    readFileSync(template, "utf8"),
    stack,
  );
}

// Under mocks, pulumi.log.info writes with console.log; those lines go to stderr so that
// stdout carries only the rendered YAML.
async function withStdoutToStderr<T>(action: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = console.error;
  try {
    return await action();
  } finally {
    console.log = log;
  }
}
