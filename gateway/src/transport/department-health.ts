/**
 * What the gateway tells the rest of the process about its departments' health: one event per attempt to
 * fetch from a department (for metrics), and each department's circuit-breaker state (for readiness and
 * metrics). Produced by ./subgraph-client.ts, exposed by `createServiceBuilder` (../data-sources.ts).
 */

/**
 * How one attempt ended:
 * - `ok`: a well-formed GraphQL response (it may carry the department's own GraphQL errors);
 * - `http_error`: an HTTP status other than 2xx;
 * - `timeout`: no complete answer within the department's deadline;
 * - `unavailable`: connection refused, reset or closed before the answer was complete;
 * - `circuit_open`: not sent, the department's breaker is open (fail fast);
 * - `too_large`: the answer exceeded the per-answer limit or the gateway's in-flight answer budget;
 * - `bad_response`: a body that is not a GraphQL response (not JSON, `errors` not a list, `_entities` of the
 *   wrong shape).
 */
export type FetchOutcome = "ok" | "http_error" | "timeout" | "unavailable" | "circuit_open" | "too_large" | "bad_response";

/**
 * One attempt: `ms` from sending to the outcome; `attempt` is 1 for the first try, 2… for retries (queries
 * only), and 0 when nothing was sent (`circuit_open`).
 */
export interface FetchEvent {
  subgraph: string;
  outcome: FetchOutcome;
  ms: number;
  attempt: number;
}

/**
 * A department's circuit breaker: `failures` is the current run of consecutive failed fetches; `openedAt`
 * (ISO time) is set while it is open or half-open. `half_open`: the cool-down is over, the next request
 * probes the department (one at a time) and closes the breaker if it answers.
 */
export interface BreakerSnapshot {
  subgraph: string;
  state: "closed" | "open" | "half_open";
  failures: number;
  openedAt?: string;
}
