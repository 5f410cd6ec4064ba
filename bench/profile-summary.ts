// Summarises a V8 CPU profile (node --cpu-prof): where the samples fall by
// package and by function, counting self time only.
// Usage: node bench/profile-summary.ts FILE.cpuprofile [--top 25]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { positiveInteger, printTable } from "./report.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});
const file = positionals[0];
if (file === undefined) {
  console.error("Missing the profile file: node bench/profile-summary.ts FILE.cpuprofile");
  process.exit(2);
}
const top = positiveInteger(options.top, "--top");

const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const totalSamples = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();

for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (hits === 0) {
    continue;
  }
  const { functionName, url, lineNumber } = node.callFrame;
  const origin = originOf(url, functionName);
  byPackage.set(origin, (byPackage.get(origin) ?? 0) + hits);
  const where = url === "" ? "" : ` ${shortUrl(url)}:${lineNumber + 1}`;
  const key = `${functionName || "(anonymous)"}${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
}

console.log(`${totalSamples} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`);
printTable(["share", "origin"], sortedShares(byPackage, top));
console.log();
printTable(["share", "function (self time)"], sortedShares(byFunction, top));

// Groups a frame by npm package, Node.js internals, the project's own code or V8's
// pseudo-frames such as (garbage collector), (idle) and (program).
function originOf(url: string, functionName: string): string {
  if (url === "") {
    return functionName.startsWith("(") ? functionName : "(native)";
  }
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch !== null) {
    return packageMatch[1] as string;
  }
  if (url.startsWith("node:")) {
    return "node internals";
  }
  return "project code";
}

function shortUrl(url: string): string {
  const packageIndex = url.lastIndexOf("node_modules/");
  if (packageIndex !== -1) {
    return url.slice(packageIndex + "node_modules/".length);
  }
  return url.replace(/^file:\/\/.*?\/(app|bench)\//, "$1/");
}

function sortedShares(counts: Map<string, number>, limit: number): string[][] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, hits]) => [`${((100 * hits) / totalSamples).toFixed(1)}%`, key]);
}
