/**
 * Node flags the gateway process is started with (by `npm start`, and by the benchmark for "as shipped").
 * V8 lets a busy process's heap grow far past what it keeps alive: under 50 concurrent priority-elder
 * pages our gateway peaked at ~365 MB RSS with the default heap sizing and ~220 MB with a 256 MB
 * old-space limit, at the same CPU per request. GATEWAY_HEAP_MB sets the limit (0: V8's default).
 * A deployment that starts `node gateway/src/main.ts` itself should pass the same flag.
 *
 * The young generation: a gateway allocates many short-lived objects per request (subgraph answers
 * parsed, merged, shaped and serialised). 32 MB semi-spaces instead of V8's 16 MB cut gateway CPU per
 * priority-elder page 12.4 → 11.3 ms and per identical page 7.6 → 6.7–7.2 ms, but raise the gateway's peak
 * RSS under the identical-page load from 246–263 MB to 276–299 MB (24 MB: 301 MB), at the edge of the 300 MB
 * per-process budget, so V8's default stays. GATEWAY_SEMI_SPACE_MB sets it (0: V8's default).
 */
import { z } from "zod";

const schema = z.object({
  GATEWAY_HEAP_MB: z.coerce.number().int().min(0).default(256),
  GATEWAY_SEMI_SPACE_MB: z.coerce.number().int().min(0).default(0),
});

export function gatewayNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const { GATEWAY_HEAP_MB: mb, GATEWAY_SEMI_SPACE_MB: semi } = schema.parse(env);
  return [...(mb > 0 ? [`--max-old-space-size=${mb}`] : []), ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : [])];
}
