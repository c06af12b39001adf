/**
 * Node flags the gateway process is started with (by `npm start`, and by the benchmark for "as shipped").
 * V8 lets a busy process's heap grow far past what it keeps alive: under 50 concurrent priority-elder
 * pages our gateway peaked at ~365 MB RSS with the default heap sizing and ~220 MB with a 256 MB
 * old-space limit, at the same CPU per request. GATEWAY_HEAP_MB sets the limit (0: V8's default).
 * A deployment that starts `node gateway/src/main.ts` itself should pass the same flag.
 *
 * The young generation: a gateway allocates a lot of short-lived objects per request (subgraph answers
 * parsed, merged, shaped and serialised). With 32 MB semi-spaces instead of V8's 16 MB, fewer of them
 * survive into old space and scavenges run half as often: gateway CPU per priority-elder page 12.4 →
 * 11.3 ms, per identical page 7.6 → 6.7 ms, for ≈ 20–40 MB more RSS (64 MB semi-spaces went past 300 MB).
 * GATEWAY_SEMI_SPACE_MB sets it (0: V8's default).
 */
import { z } from "zod";

const schema = z.object({
  GATEWAY_HEAP_MB: z.coerce.number().int().min(0).default(256),
  GATEWAY_SEMI_SPACE_MB: z.coerce.number().int().min(0).default(32),
});

export function gatewayNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const { GATEWAY_HEAP_MB: mb, GATEWAY_SEMI_SPACE_MB: semi } = schema.parse(env);
  return [...(mb > 0 ? [`--max-old-space-size=${mb}`] : []), ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : [])];
}
