/**
 * Rate limit per caller: a token bucket per token subject (refilled at `RATE_LIMIT_PER_SECOND`, holding at
 * most `RATE_LIMIT_BURST`), checked when the request arrives, right after identity. Over the limit → 429
 * RATE_LIMITED with `Retry-After` (seconds). The buckets live in the shared state: with `REDIS_URL` a limit
 * spent on one gateway process is spent on all. `RATE_LIMIT_PER_SECOND=0` turns it off (benchmarks).
 */
import type { SharedState } from "../state/shared-state";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

export interface RateLimitPluginOptions {
  state: SharedState;
  perSecond: number;
  burst: number;
  log: { warn(o: unknown, m: string): void };
}

export function createRateLimitPlugin(opts: RateLimitPluginOptions): GatewayPlugin {
  return {
    name: "rate-limit",
    http(app) {
      if (opts.perSecond <= 0) return;
      app.addHook("onRequest", async (req, reply) => {
        const sub = req.caller?.sub;
        if (!sub) return;
        let verdict;
        try {
          verdict = await opts.state.take(`caller:${sub}`, opts.perSecond, opts.burst);
        } catch (e) {
          // The shared state cannot decide: refuse rather than serve unlimited (fail closed).
          req.log.warn({ err: e }, "rate limit state unavailable; request refused");
          return reply.code(503).type(JSON_TYPE).header("retry-after", "1").send(errorBody("RATE_LIMITED", "The rate limit cannot be checked right now; retry in a second."));
        }
        if (verdict.allowed) return;
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        return reply.code(429).type(JSON_TYPE).header("retry-after", String(seconds)).send(errorBody("RATE_LIMITED", `Too many requests for this caller: at most ${opts.perSecond} per second (bursts of ${opts.burst}). Retry after ${seconds} s.`));
      });
    },
  };
}
