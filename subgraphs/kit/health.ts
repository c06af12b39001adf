/**
 * Health routes of every service (the gateway and each department), public (no token, no signature):
 *
 * - `GET /healthz` — alive: 200 `{ "status": "ok" }` whenever the process can answer at all (a liveness
 *   probe restarts the process when it cannot). `/health` is the same (kept for existing checks).
 * - `GET /readyz` — ready to serve: 200 `{ "status": "ready", "checks": {...} }` when every check passes,
 *   503 `{ "status": "not ready", "reasons": [...], "checks": {...} }` otherwise (a readiness probe takes the
 *   instance out of the load balancer until it passes again). While the service shuts down it is 503
 *   with the reason `shutting down`.
 *
 * Concurrent probes share one run of the checks (a burst of probes costs one database round trip), and each
 * check has a deadline, so probing is cheap and never hangs.
 */
import type { FastifyInstance } from "fastify";
import { isClosing } from "./lifecycle";

export interface CheckResult {
  ok: boolean;
  /** Why it failed (no secrets, no personal data: this route is public). */
  reason?: string;
  /** Extra facts shown in the body (e.g. per-department breaker state). */
  [k: string]: unknown;
}

/** A named readiness check: resolves its result, or throws (then it failed with the error's message). */
export type ReadinessCheck = () => Promise<CheckResult | boolean | void>;

export interface HealthOptions {
  /** The service's name, shown in the bodies. */
  name: string;
  /** Readiness checks by name; all must pass. */
  checks: Record<string, ReadinessCheck>;
  /** Extra facts that do not decide readiness (e.g. department breaker states), shown in the body. */
  info?: () => Record<string, unknown>;
  /** Deadline of one check, ms (default 2000). */
  checkTimeoutMs?: number;
  /** How long a readiness verdict is reused after its run, ms (default 0: only by probes that arrive during it). */
  cacheMs?: number;
}

export interface ReadinessVerdict {
  ready: boolean;
  reasons: string[];
  checks: Record<string, CheckResult>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (r === false) return { ok: false, reason: "failed" };
    if (r === undefined || r === true) return { ok: true };
    return r;
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the checks (with the caching and deadlines above). */
export function createReadiness(opts: HealthOptions): () => Promise<ReadinessVerdict> {
  const timeoutMs = opts.checkTimeoutMs ?? 2000;
  const cacheMs = opts.cacheMs ?? 0;
  let last: { at: number; verdict: ReadinessVerdict } | undefined;
  let running: Promise<ReadinessVerdict> | undefined;
  return () => {
    if (last && cacheMs > 0 && Date.now() - last.at < cacheMs) return Promise.resolve(last.verdict);
    running ??= (async () => {
      const entries = await Promise.all(Object.entries(opts.checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
      const checks = Object.fromEntries(entries);
      const reasons = entries.filter(([, r]) => !r.ok).map(([name, r]) => `${name}: ${r.reason ?? "failed"}`);
      const verdict = { ready: reasons.length === 0, reasons, checks };
      last = { at: Date.now(), verdict };
      return verdict;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
}

export function registerHealthRoutes(app: FastifyInstance, opts: HealthOptions): void {
  const readiness = createReadiness(opts);
  const alive = async () => ({ status: "ok", service: opts.name });
  app.get("/healthz", { config: { public: true }, logLevel: "warn" }, alive);
  app.get("/health", { config: { public: true }, logLevel: "warn" }, alive);
  app.get("/readyz", { config: { public: true }, logLevel: "warn" }, async (_req, reply) => {
    reply.header("cache-control", "no-store");
    const info = opts.info?.() ?? {};
    if (isClosing(app)) {
      return reply.code(503).send({ status: "not ready", service: opts.name, reasons: ["shutting down"], checks: {}, ...info });
    }
    const v = await readiness();
    return reply.code(v.ready ? 200 : 503).send({ status: v.ready ? "ready" : "not ready", service: opts.name, ...(v.ready ? {} : { reasons: v.reasons }), checks: v.checks, ...info });
  });
}
