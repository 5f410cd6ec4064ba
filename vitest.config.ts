import { defineConfig } from "vitest/config";

// Each workspace keeps its own test settings; the root runs them all.
export default defineConfig({
  test: {
    projects: [{ test: { name: "scripts", include: ["scripts/**/*.test.ts"] } }, "app", "infra", "tools"],
  },
});
