// Removal steps for what a run created. They run newest first, so a container goes before the
// network it joined and the image it runs.
export class CleanupSteps {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  // Runs every step, even after one fails, then throws one error that lists every failure.
  async runAll(): Promise<void> {
    const failures: string[] = [];
    for (const { what, run } of this.steps.splice(0).reverse()) {
      try {
        await run();
      } catch (error) {
        failures.push(`${what}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) {
      throw new Error(`Failed to remove part of what the run created:\n  ${failures.join("\n  ")}`);
    }
  }
}
