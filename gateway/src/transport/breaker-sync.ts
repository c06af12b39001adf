/**
 * Circuit breakers shared by gateway replicas (through the shared state: Redis when scaled out). When one
 * gateway's breaker for a department opens, the others open theirs for the rest of its cool-down, so a
 * failing department is not hit by every replica in turn; a gateway that starts later reads the open
 * breakers it missed. Each replica still probes and closes on its own. Best effort: if the shared state
 * cannot be reached, each breaker keeps working alone (logged), and nothing is refused because of it.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { SharedState } from "../state/shared-state";

const CHANNEL = "breakers";
const key = (subgraph: string) => `breaker:${subgraph}`;

export interface BreakerSync {
  /** Tells the other gateways that `subgraph`'s breaker opened here for `ms`. */
  announce(subgraph: string, ms: number): void;
  /** `subgraph` answered here again: gateways starting from now need not fail fast for it. */
  closed(subgraph: string): void;
  /**
   * Calls `open(subgraph, ms)` for every breaker another gateway opens (of a subgraph `known` accepts), and
   * now for those of `subgraphs` already open.
   */
  follow(subgraphs: readonly string[], known: (subgraph: string) => boolean, open: (subgraph: string, ms: number) => void): Promise<void>;
  /** Stops retrying (the gateway is closing). */
  stop(): void;
}

export function createBreakerSync(state: SharedState, log: FastifyBaseLogger): BreakerSync {
  const me = randomUUID();
  let stopped = false;
  const warn = (e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, "shared circuit-breaker state unavailable; breakers work per gateway");
  return {
    announce(subgraph, ms) {
      if (!(ms > 0)) return;
      void Promise.all([state.set(key(subgraph), "open", ms), state.publish(CHANNEL, JSON.stringify({ from: me, subgraph, ms: Math.round(ms) }))]).catch(warn);
    },
    closed(subgraph) {
      void state.set(key(subgraph), "closed", 1).catch(warn);
    },
    async follow(subgraphs, known, open) {
      // Until the subscription holds and the catch-up is read (Redis may start after the gateway), try again
      // with backoff; the handler is registered once.
      let subscribed = false;
      for (let attempt = 0; !stopped; attempt++) {
        try {
          if (!subscribed) {
            await state.subscribe(CHANNEL, (message) => {
              try {
                const m = JSON.parse(message) as { from?: unknown; subgraph?: unknown; ms?: unknown };
                if (m.from !== me && typeof m.subgraph === "string" && known(m.subgraph) && typeof m.ms === "number") open(m.subgraph, m.ms);
              } catch {
                /* not one of ours */
              }
            });
            subscribed = true;
          }
          for (const s of subgraphs) {
            const ms = await state.remainingMs(key(s));
            if (ms > 0) open(s, ms);
          }
          return;
        } catch (e) {
          if (attempt === 0) warn(e);
          await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)).unref());
        }
      }
    },
    stop() {
      stopped = true;
    },
  };
}
