// The part of autocannon 9's API that the benchmarks use; the package ships no types.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  type Context = Record<string, unknown>;

  export interface RequestSettings {
    method?: "GET" | "POST";
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }

  export interface Request extends RequestSettings {
    // Called before every request on a connection; the context lives until the response.
    setupRequest?: (request: RequestSettings, context: Context) => RequestSettings;
    onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void;
  }

  export interface Options extends RequestSettings {
    url: string;
    connections?: number;
    // Seconds; ignored when amount is set.
    duration?: number;
    amount?: number;
    // Seconds before a request counts as timed out.
    timeout?: number;
    pipelining?: number;
    requests?: Request[];
  }

  // Latencies are in milliseconds; request counts are per second.
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
    p99_9: number;
    totalCount: number;
  }

  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    "2xx": number;
    "4xx": number;
    "5xx": number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
  }

  export default function autocannon(options: Options): Promise<Result> & EventEmitter;
}
