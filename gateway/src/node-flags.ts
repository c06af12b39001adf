/**
 * Node flags the gateway process is started with (by `npm start`, and by the benchmark for "as shipped").
 * V8 lets a busy process's heap grow far past what it keeps alive: under 50 concurrent priority-elder
 * pages our gateway peaked at ~365 MB RSS with the default heap sizing and ~220 MB with a 256 MB
 * old-space limit, at the same CPU per request. GATEWAY_HEAP_MB sets the limit (0: V8's default).
 * A deployment that starts `node gateway/src/main.ts` itself should pass the same flag.
 */
import { z } from "zod";

const schema = z.object({ GATEWAY_HEAP_MB: z.coerce.number().int().min(0).default(256) });

export function gatewayNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const mb = schema.parse(env).GATEWAY_HEAP_MB;
  return mb > 0 ? [`--max-old-space-size=${mb}`] : [];
}
