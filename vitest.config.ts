import { defineConfig } from "vitest/config";

// Each folder with tests keeps its own settings; the root runs them all.
export default defineConfig({
  test: {
    projects: [{ test: { name: "scripts", include: ["scripts/**/*.test.ts"] } }, "app", "infra", "tools", "bench/image"],
  },
});
