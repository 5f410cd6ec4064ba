import type fc from "fast-check";

// The seed that CI uses, so that a failure there reproduces anywhere.
const ciSeed = 20_261_204;

// CI runs the fixed seed, and other runs explore new inputs. FUZZ_SEED=<n> replays a run,
// and fast-check prints the seed and the shrunk counterexample of every failure.
export function fuzzParameters<T>(numRuns: number): fc.Parameters<T> {
  // Shrinking a long counterexample against a database can take minutes, so a property
  // stops after this long and reports the smallest counterexample found by then.
  const limits = { numRuns, interruptAfterTimeLimit: 15_000 };
  const fromEnvironment = process.env.FUZZ_SEED;
  if (fromEnvironment !== undefined && fromEnvironment !== "") {
    return { ...limits, seed: Number(fromEnvironment) };
  }
  return process.env.CI ? { ...limits, seed: ciSeed } : limits;
}
