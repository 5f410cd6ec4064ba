import { appendFile, copyFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

// Folders never copied into the temporary context: they are large, and .dockerignore keeps
// them out of the build anyway. Everything else is copied with the repository's own
// .dockerignore, so Docker filters the copy exactly as it filters the repository.
const skippedNames = new Set([".git", "node_modules"]);

// The source file the warm build changes. It is part of the server's bundle, so the change
// reaches the esbuild step and the layer that contains dist/.
export const editedSourceFile = path.join("app", "src", "app.ts");

// A temporary folder with a copy of the build context in context/ and room beside it for
// files that must stay out of the context (image ID files, the saved image).
export class TemporaryBuildContext {
  readonly rootDirectory: string;
  readonly directory: string;

  private constructor(rootDirectory: string) {
    this.rootDirectory = rootDirectory;
    this.directory = path.join(rootDirectory, "context");
  }

  // Copies the repository's working tree, without .git and node_modules, into a new folder,
  // with `dockerfile` as app/Dockerfile.
  static async copyOf(repositoryRoot: string, dockerfile: string): Promise<TemporaryBuildContext> {
    const context = new TemporaryBuildContext(await mkdtemp(path.join(tmpdir(), "zero2prod-bench-image-")));
    await cp(repositoryRoot, context.directory, {
      recursive: true,
      filter: (source) => !skippedNames.has(path.basename(source)),
    });
    await copyFile(dockerfile, path.join(context.directory, "app", "Dockerfile"));
    return context;
  }

  // A path beside the context, for a file the build must not see.
  scratchPath(name: string): string {
    return path.join(this.rootDirectory, name);
  }

  // Appends a legal comment (`//!`) with a fresh value to the edited source file. esbuild
  // keeps legal comments when it minifies, so unlike a plain comment this one changes the
  // bundle, as a real code change would.
  async editSource(label: string): Promise<void> {
    await appendFile(path.join(this.directory, editedSourceFile), `\n//! image benchmark edit ${label}\n`);
  }

  async remove(): Promise<void> {
    await rm(this.rootDirectory, { recursive: true, force: true });
  }
}
