// Load with nothing lost: sends many distinct subscriptions and then repeated ones to the
// real service backed by a real PostgreSQL, and checks the table against every response.
// Usage: node bench/load.ts [--requests 50000] [--connections 100] [--repeated-emails 1000]
// Exits 1 when a check fails.
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { PostgresCluster } from "../app/test/resilience/postgres-cluster.ts";
import { ServiceProcess } from "../app/test/resilience/service-process.ts";
import { Ledger, type Check, type StoredRow } from "./ledger.ts";
import { formatMegabytes, positiveInteger, printTable } from "./report.ts";
import { formBody, formHeaders, sampleNames } from "./subscriptions.ts";

const { values: options } = parseArgs({
  options: {
    requests: { type: "string", default: "50000" },
    connections: { type: "string", default: "100" },
    "repeated-emails": { type: "string", default: "1000" },
    "copies-per-email": { type: "string", default: "8" },
  },
});

const distinctRequests = positiveInteger(options.requests, "--requests");
const connections = positiveInteger(options.connections, "--connections");
const repeatedEmails = positiveInteger(options["repeated-emails"], "--repeated-emails");
const copiesPerEmail = positiveInteger(options["copies-per-email"], "--copies-per-email");

interface Subscription {
  name: string;
  email: string;
}

interface PhaseResult extends Result {
  // From the first request to the last response.
  seconds: number;
}

const ledger = new Ledger();

console.log("Starting PostgreSQL and the service on 127.0.0.1 ...");
const cluster = await PostgresCluster.startMigrated();
const service = await ServiceProcess.start({ env: cluster.serviceEnv(), output: "ignore" }).catch(async (error: unknown) => {
  await cluster.destroy();
  throw error;
});
let exitCode = 0;

try {
  const distinct = Array.from({ length: distinctRequests }, (_, index) => ({
    name: sampleNames[index % sampleNames.length] as string,
    email: `subscriber-${index}@load.example.com`,
  }));
  const distinctResult = await send("distinct", distinct);

  const repeated = repeatedSubscriptions(ledger.acceptedEmails());
  const repeatedResult = await send("repeated", repeated);

  const memory = service.memory();
  printTable(
    ["phase", "requests", "seconds", "requests/s", "p50 ms", "p99 ms", "max ms", "errors"],
    [summarise("distinct", distinctResult), summarise("repeated", repeatedResult)],
  );
  console.log(`Service peak resident memory (VmHWM): ${formatMegabytes(memory.peakResidentKiB)}`);
  console.log(`Responses by status: ${JSON.stringify(Object.fromEntries(ledger.statusCounts()))}`);

  const rows = await cluster.query<StoredRow>("SELECT email, name FROM subscriptions");
  const checks = [...ledger.check(rows), transportCheck([distinctResult, repeatedResult])];
  const repeats = ledger.repeats();
  console.log(`Rows in subscriptions: ${rows.length}, emails with a 200 response: ${ledger.acceptedEmails().length}`);
  console.log(`Emails sent more than once: ${repeats.emails}, in ${repeats.requests} requests`);
  printChecks(checks);
  if (checks.some((check) => !check.passed)) {
    exitCode = 1;
  }
} finally {
  const exit = await service.stop();
  if (exit.code !== 0) {
    console.error(`The service exited with code ${exit.code} (signal ${exit.signal}) after SIGTERM`);
    exitCode = 1;
  }
  await cluster.destroy();
}
process.exit(exitCode);

// Sends every subscription once, over `connections` keep-alive connections, and records
// each response status in the ledger.
async function send(phase: string, subscriptions: Subscription[]): Promise<PhaseResult> {
  console.log(`Sending ${subscriptions.length} ${phase} subscriptions over ${connections} connections ...`);
  let next = 0;
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const result = await autocannon({
    url: service.url,
    connections: Math.min(connections, subscriptions.length),
    amount: subscriptions.length,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/subscriptions",
        headers: { ...formHeaders },
        setupRequest: (request, context) => {
          // autocannon builds exactly `amount` requests, so the modulo only guards the index.
          const subscription = subscriptions[next % subscriptions.length] as Subscription;
          next += 1;
          context.attempt = ledger.recordSent(subscription.email, subscription.name);
          return { ...request, body: formBody(subscription.name, subscription.email) };
        },
        onResponse: (status, _body, context) => {
          (context.attempt as { status: number | undefined }).status = status;
          lastResponseAt = performance.now();
        },
      },
    ],
  });
  // autocannon rounds the duration of a run with `amount` up to its 1 s sampling tick.
  return { ...result, seconds: (lastResponseAt - startedAt) / 1000 };
}

// Half the emails were accepted before, and their copies are spread over the phase.
// The other half are new, and their copies are sent back to back, so that several
// connections insert the same new email at the same moment.
function repeatedSubscriptions(acceptedBefore: string[]): Subscription[] {
  const half = Math.ceil(repeatedEmails / 2);
  const spread: Subscription[] = [];
  const together: Subscription[] = [];
  for (let copy = 0; copy < copiesPerEmail; copy++) {
    for (const email of acceptedBefore.slice(0, half)) {
      spread.push({ name: `Repeat ${copy}`, email });
    }
  }
  for (let index = 0; index < repeatedEmails - half; index++) {
    for (let copy = 0; copy < copiesPerEmail; copy++) {
      together.push({ name: `Racer ${copy}`, email: `racer-${index}@load.example.com` });
    }
  }
  // Interleaves the two lists so that both kinds run under the same load.
  const mixed: Subscription[] = [];
  for (let index = 0; index < Math.max(spread.length, together.length); index++) {
    const fromSpread = spread[index];
    const fromTogether = together[index];
    if (fromSpread !== undefined) mixed.push(fromSpread);
    if (fromTogether !== undefined) mixed.push(fromTogether);
  }
  return mixed;
}

function summarise(phase: string, result: PhaseResult): string[] {
  const completed = result.latency.totalCount;
  return [
    phase,
    String(completed),
    result.seconds.toFixed(2),
    (completed / result.seconds).toFixed(0),
    String(result.latency.p50),
    String(result.latency.p99),
    String(result.latency.max),
    String(result.errors),
  ];
}

function transportCheck(results: Result[]): Check {
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const timeouts = results.reduce((sum, result) => sum + result.timeouts, 0);
  return {
    description: "no connection errors or timeouts",
    passed: errors === 0,
    examples: errors === 0 ? [] : [`${errors} errors, of which ${timeouts} timeouts`],
  };
}

function printChecks(checks: Check[]): void {
  for (const check of checks) {
    console.log(`${check.passed ? "PASS" : "FAIL"}  ${check.description}`);
    for (const example of check.examples) {
      console.log(`        ${example}`);
    }
  }
}
