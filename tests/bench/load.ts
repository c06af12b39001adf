/**
 * Load generation with autocannon (in this process, 127.0.0.1 only): a warm-up, then a measured run whose
 * every response is checked for its status and for GraphQL errors; latency percentiles are computed from
 * every response time. Plus a single verified request before measuring.
 */
import autocannon from "autocannon";
import { postJson, type HttpResponse } from "./http";

export interface LoadOptions {
  url: string;
  /** Request bodies, taken in turn across all connections. */
  bodies: string[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** Per-request timeout, seconds. */
  timeoutS?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
  /** 2xx responses whose body holds GraphQL errors. */
  graphqlErrors: number;
  /** Socket errors and timeouts. */
  transportErrors: number;
  /** One example of a failed response, for the report. */
  example?: string;
  /** Every response time, ms (for merging slices; left out of saved results). */
  latencies?: number[];
}

/** One result from several measured slices of the same gateway and workload: totals, and percentiles over every response. */
export function mergeLoads(parts: LoadResult[]): LoadResult {
  const latencies = parts.flatMap((p) => p.latencies ?? []).sort((a, b) => a - b);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  const requests = parts.reduce((a, p) => a + p.requests, 0);
  return {
    requests,
    seconds,
    rps: seconds > 0 ? requests / seconds : 0,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    graphqlErrors: parts.reduce((a, p) => a + p.graphqlErrors, 0),
    transportErrors: parts.reduce((a, p) => a + p.transportErrors, 0),
    example: parts.find((p) => p.example)?.example,
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let example: string | undefined;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationS,
        timeout: o.timeoutS ?? 30,
        requests: [
          {
            method: "POST",
            body: o.bodies[0],
            headers: { "content-type": "application/json", ...o.headers },
            setupRequest: (req: autocannon.Request) => {
              req.body = o.bodies[next++ % o.bodies.length];
              return req;
            },
            onResponse: (status: number, body: string) => {
              if (status < 200 || status > 299) {
                non2xx++;
                example ??= `HTTP ${status}: ${body.slice(0, 300)}`;
              } else if (body.includes('"errors"')) {
                graphqlErrors++;
                example ??= `HTTP ${status}: ${body.slice(body.indexOf('"errors"'), body.indexOf('"errors"') + 300)}`;
              }
            },
          },
        ],
      },
      (err: unknown, result: autocannon.Result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        latencies.sort((a, b) => a - b);
        resolve({
          requests: latencies.length,
          seconds: Math.max(seconds, o.durationS),
          rps: latencies.length / Math.max(seconds, o.durationS),
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          non2xx,
          graphqlErrors,
          transportErrors: result.errors,
          example: example ?? (result.errors ? `${result.errors} socket errors (${result.timeouts} timeouts)` : undefined),
          latencies,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

export interface Verification {
  ok: boolean;
  status: number;
  bytes: number;
  problem?: string;
}

/** One request, checked: HTTP 2xx, no GraphQL errors, data present and shaped as the workload expects. */
export async function verifyOnce(url: string, body: string, headers: Record<string, string>, check: (data: Record<string, any>) => string | null): Promise<Verification> {
  let res: HttpResponse;
  try {
    res = await postJson(url, body, headers);
  } catch (e) {
    return { ok: false, status: 0, bytes: 0, problem: `request failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const text = res.text;
  const httpOk = res.status >= 200 && res.status <= 299;
  let parsed: { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: res.status, bytes: text.length, problem: `not JSON: ${text.slice(0, 200)}` };
  }
  if (parsed.errors?.length) {
    const first = parsed.errors.slice(0, 3).map((e) => `${e.extensions?.code ?? "ERROR"} ${e.message}${e.path ? ` at ${e.path.join(".")}` : ""}`);
    return { ok: false, status: res.status, bytes: text.length, problem: `${parsed.errors.length} GraphQL error(s): ${first.join("; ")}` };
  }
  if (!httpOk) return { ok: false, status: res.status, bytes: text.length, problem: `HTTP ${res.status}` };
  if (!parsed.data) return { ok: false, status: res.status, bytes: text.length, problem: "no data" };
  const problem = check(parsed.data);
  return { ok: !problem, status: res.status, bytes: text.length, problem: problem ?? undefined };
}

/** Sends `n` requests one after another (bodies spread over the pool); counts the failed ones (non-2xx or GraphQL errors). */
export async function sampleErrors(url: string, bodies: string[], headers: Record<string, string>, n: number): Promise<{ sampled: number; failed: number; example?: string }> {
  let failed = 0;
  let example: string | undefined;
  for (let i = 0; i < n; i++) {
    const v = await verifyOnce(url, bodies[Math.floor((i * bodies.length) / n)], headers, () => null);
    if (!v.ok) {
      failed++;
      example ??= v.problem;
    }
  }
  return { sampled: n, failed, example };
}
