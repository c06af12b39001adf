/**
 * HTTP to one department: undici's pooled keep-alive client (no WHATWG fetch/streams layer: the request
 * body is one buffer, the answer is read chunk by chunk and counted), coalescing of identical in-flight
 * queries, and the department's failure handling — one deadline, retries of queries, a circuit breaker,
 * limits on the answer's size — so that whatever a department does, the caller gets either a well-formed
 * GraphQL response or a `DepartmentFetchError` saying what went wrong (its `outcome`).
 *
 * Coalescing: while a query is in flight, an identical one — same department, same body, same signed
 * caller context — waits for the same answer instead of being sent again (Hive Gateway and Cosmo do the
 * same). The key holds the whole caller context, so answers are only ever shared between requests of one
 * caller with one purpose and scope, never across callers; nothing is kept once the answer arrives (no
 * cache). The answer is parsed once (to check it is a GraphQL response); the first waiter gets that parse,
 * each other waiter parses its own copy. Mutations are never coalesced.
 *
 * Deadline: one per fetch (`timeoutMs`), covering waiting for a connection, every attempt, the pauses
 * between them and reading the body, so a department that trickles its body cannot hold a request longer.
 *
 * Retries: only for queries (idempotent; never mutations), only after a failure that says nothing about
 * the request itself — the connection refused, reset or closed, or an HTTP 5xx — and only while the
 * deadline leaves room: at most `retries` more attempts, each after a pause drawn at random up to
 * `retryBaseMs` × 2^(attempt−1) (capped at 1 s; "full jitter", so retries of many requests spread out).
 * A timeout is not retried (it spent the deadline). Each attempt is signed again (a new nonce).
 *
 * Circuit breaker (./circuit-breaker.ts): a fetch that fails — unreachable, timed out, HTTP 5xx after its
 * retries, or an answer that is not a GraphQL response — counts as a failure; a GraphQL response (even one
 * carrying the department's own errors) or an HTTP 4xx answer is a success (the department is up; a 4xx
 * says the request was wrong, which a client could provoke); an answer over the size limits says nothing.
 * While the breaker is open, fetches fail at once with `circuit_open`, nothing is sent.
 *
 * Size: an answer larger than `maxResponseBytes` (declared in content-length, or counted while it streams)
 * is abandoned (the connection closed) with `too_large`; so is one whose next chunk would take the bytes of
 * all answers in flight in this gateway over the shared `budget` (./answer-budget.ts).
 */
import { Pool } from "undici";
import type Dispatcher from "undici/types/dispatcher";
import type { CircuitBreaker, BreakerPermit } from "./circuit-breaker";
import type { AnswerBudget, AnswerHold } from "./answer-budget";
import type { FetchEvent, FetchOutcome } from "./department-health";
import type { DocumentNode } from "graphql";
import { wrongShape } from "./response-shape";

/** A department's GraphQL response, checked to be one (an object; `errors` a list when present). */
export interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
  extensions?: Record<string, unknown>;
}

export interface SubgraphAnswer {
  status: number;
  contentType: string;
  text: string;
  /** Bytes of the answer (taken from the budget while it was received). */
  size: number;
  /**
   * The parsed response: the parse made to check it for the first caller, a fresh copy for any other.
   * With the caller's request `hold`, the answer's bytes are held until that request ends: the first
   * caller keeps the bytes taken while receiving, any other takes as many again for its copy, or gets a
   * `DepartmentFetchError` (`too_large`, the budget) when the budget has no room for them. Without a hold,
   * the first call gives the bytes back.
   */
  response(hold?: AnswerHold): SubgraphResponse;
}

export interface SubgraphClientOptions {
  /** The department's name (in events and errors). */
  name?: string;
  /** Deadline for the whole fetch (connection, every attempt, the body), milliseconds. */
  timeoutMs: number;
  /** Largest answer accepted, bytes (default 8 MB). */
  maxResponseBytes?: number;
  /** Budget of answer bytes in flight shared by all departments of the gateway. */
  budget?: AnswerBudget;
  /** Sockets per department (keep-alive); default 32. */
  connections?: number;
  coalesce?: boolean;
  /** More attempts after a retryable failure, queries only (default 2). */
  retries?: number;
  /** Largest first pause before a retry, milliseconds (default 50; doubles per retry, capped at 1 s). */
  retryBaseMs?: number;
  breaker?: CircuitBreaker;
  onFetch?: (e: FetchEvent) => void;
}

/**
 * Checks on an answer that depend on the request: an entity fetch must return one entity per
 * representation; the data must have the shape of the operation sent (./response-shape.ts).
 */
export interface Expectation {
  entities?: number;
  document?: DocumentNode;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_BACKOFF_MS = 1000;
/** A retry is not started unless this much of the deadline is left after its pause. */
const MIN_ATTEMPT_MS = 50;

/** Why a fetch from a department gave no usable response. The message is for the gateway's log only. */
export class DepartmentFetchError extends Error {
  constructor(
    readonly subgraph: string,
    readonly outcome: Exclude<FetchOutcome, "ok">,
    message: string,
    readonly detail: { attempts: number; status?: number; code?: string; budget?: boolean } = { attempts: 0 },
  ) {
    super(message);
    this.name = "DepartmentFetchError";
  }
}

const READ_ONLY = /^\s*(query\b|\{)/;

/**
 * The first `n` characters of an answer for the log, copied: a slice of a string can share the whole
 * string's memory, and an error kept while a fetch is retried must not keep an 8 MB answer alive.
 */
const head = (text: string, n: number): string => (text.length <= n ? text : Buffer.from(text.slice(0, n), "utf8").toString("utf8"));

function checkResponse(parsed: unknown, expect: Expectation | undefined): string | null {
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "a body that is not a GraphQL response";
  const r = parsed as { data?: unknown; errors?: unknown };
  if (r.errors !== undefined && r.errors !== null && !Array.isArray(r.errors)) return "malformed errors (not a list)";
  if (r.data !== undefined && r.data !== null && (typeof r.data !== "object" || Array.isArray(r.data))) return "malformed data (not an object)";
  if (expect?.entities !== undefined && r.data) {
    const entities = (r.data as Record<string, unknown>)._entities;
    if (entities !== null && (!Array.isArray(entities) || entities.length !== expect.entities)) return `_entities that are not a list of ${expect.entities}`;
  }
  if (expect?.document && r.data) {
    const at = wrongShape(r.data, expect.document);
    if (at) return `a value of the wrong shape at ${at}`;
  }
  return null;
}

export class SubgraphClient {
  private readonly pool: Pool;
  /** The request target sent on the request line (what the department verifies the signature against). */
  readonly target: string;
  readonly name: string;
  /** The department's URL this client's pool connects to. */
  readonly url: string;
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();
  private readonly maxResponseBytes: number;
  /** Requests answered by another identical request in flight (for metrics and tests). */
  coalesced = 0;

  constructor(url: string, private readonly opts: SubgraphClientOptions) {
    const u = new URL(url);
    this.url = url;
    this.target = `${u.pathname}${u.search}`;
    this.name = opts.name ?? u.host;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.pool = new Pool(u.origin, {
      connections: opts.connections ?? 32,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
      maxResponseSize: this.maxResponseBytes,
    });
  }

  /**
   * POSTs `body`. `identity` is what, besides the body, decides the answer (the caller context);
   * `headers(body)` builds the headers of a request actually sent (called for every attempt: the
   * signature covers a fresh nonce). Rejects with a `DepartmentFetchError`.
   */
  post(body: string, query: string | undefined, identity: string, headers: (body: string) => Record<string, string>, expect?: Expectation): Promise<SubgraphAnswer> {
    const readOnly = !!query && READ_ONLY.test(query);
    if (this.opts.coalesce === false || !readOnly) return this.fetch(body, readOnly, headers, expect);
    const key = `${identity}\n${body}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      this.coalesced++;
      return pending;
    }
    const p = this.fetch(body, readOnly, headers, expect).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private emit(outcome: FetchOutcome, started: number, attempt: number) {
    if (!this.opts.onFetch) return;
    try {
      this.opts.onFetch({ subgraph: this.name, outcome, ms: Date.now() - started, attempt });
    } catch {
      /* an observer's failure is not the department's */
    }
  }

  /** One fetch: breaker, attempts under one deadline, the answer checked. */
  private async fetch(body: string, readOnly: boolean, headers: (body: string) => Record<string, string>, expect: Expectation | undefined): Promise<SubgraphAnswer> {
    const permit: BreakerPermit | null = this.opts.breaker ? this.opts.breaker.acquire() : { success() {}, failure() {}, release() {} };
    if (!permit) {
      this.emit("circuit_open", Date.now(), 0);
      throw new DepartmentFetchError(this.name, "circuit_open", `${this.name}: circuit breaker open, not sent`);
    }
    const deadline = new AbortController();
    const start = Date.now();
    const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    const maxAttempts = readOnly ? 1 + (this.opts.retries ?? 2) : 1;
    let attempt = 0;
    try {
      for (;;) {
        attempt++;
        const started = Date.now();
        try {
          const answer = await this.attempt(body, headers(body), deadline.signal, expect, attempt);
          this.emit("ok", started, attempt);
          permit.success();
          return answer;
        } catch (e) {
          const err = this.classify(e, deadline.signal, attempt);
          this.emit(err.outcome, started, attempt);
          const retryable = err.outcome === "unavailable" || (err.outcome === "http_error" && (err.detail.status ?? 0) >= 500);
          if (retryable && attempt < maxAttempts && !this.opts.breaker?.isOpen()) {
            const pause = Math.random() * Math.min(MAX_BACKOFF_MS, (this.opts.retryBaseMs ?? 50) * 2 ** (attempt - 1));
            if (Date.now() - start + pause + MIN_ATTEMPT_MS < this.opts.timeoutMs) {
              await new Promise((r) => setTimeout(r, pause));
              if (!deadline.signal.aborted) continue;
            }
          }
          if (err.outcome === "too_large") permit.release();
          else if (err.outcome === "http_error" && (err.detail.status ?? 0) < 500) permit.success();
          else permit.failure();
          throw err;
        }
      }
    } finally {
      clearTimeout(timer);
      permit.release(); // no-op once settled; frees a probe slot if something unexpected escaped
    }
  }

  private classify(e: unknown, signal: AbortSignal, attempts: number): DepartmentFetchError {
    if (e instanceof DepartmentFetchError) {
      e.detail.attempts = attempts;
      return e;
    }
    const err = e as { code?: string; message?: string };
    if (signal.aborted) return new DepartmentFetchError(this.name, "timeout", `${this.name}: no answer within ${this.opts.timeoutMs} ms`, { attempts, code: err?.code });
    if (err?.code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return new DepartmentFetchError(this.name, "too_large", `${this.name}: answer over ${this.maxResponseBytes} bytes`, { attempts, code: err.code });
    // Refused, reset, closed before the answer was complete: the request may not have been served.
    return new DepartmentFetchError(this.name, "unavailable", `${this.name}: ${err?.message ?? String(e)}`, { attempts, code: err?.code });
  }

  private async attempt(body: string, headers: Record<string, string>, signal: AbortSignal, expect: Expectation | undefined, attempt: number): Promise<SubgraphAnswer> {
    const res: Dispatcher.ResponseData = await this.pool.request({
      method: "POST",
      path: this.target,
      body,
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      signal,
    });
    const contentType = String(res.headers["content-type"] ?? "");
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw new DepartmentFetchError(this.name, "too_large", `${this.name}: answer of ${declared} bytes declared, over ${this.maxResponseBytes}`, { attempts: attempt, status: res.statusCode });
    }
    const { text, size } = await this.readBody(res, attempt);
    // The answer's bytes stay counted in the budget until its first `response()` (which hands them to the
    // caller's request hold, or gives them back); an answer that fails its checks gives them back here.
    const budget = this.opts.budget;
    let handedOver = false;
    try {
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new DepartmentFetchError(this.name, "http_error", `${this.name}: HTTP ${res.statusCode}: ${head(text, 500)}`, { attempts: attempt, status: res.statusCode });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const wrong = checkResponse(parsed, expect);
      if (wrong) throw new DepartmentFetchError(this.name, "bad_response", `${this.name}: answered with ${wrong}: ${head(text, 200)}`, { attempts: attempt, status: res.statusCode });
      let first: SubgraphResponse | undefined = parsed as SubgraphResponse;
      let claimed = false;
      const name = this.name;
      handedOver = true;
      return {
        status: res.statusCode,
        contentType,
        text,
        size,
        response(hold?: AnswerHold) {
          // Only a hold on this client's budget can hold the answer's bytes.
          const holder = budget && hold?.budget === budget ? hold : undefined;
          if (!claimed) {
            claimed = true;
            if (holder) holder.keep(size);
            else budget?.give(size);
            const r = first!;
            first = undefined;
            return r;
          }
          if (holder && !holder.take(size)) {
            throw new DepartmentFetchError(name, "too_large", `${name}: a copy of a shared answer of ${size} bytes would take the gateway's answer bytes over their budget of ${holder.budget.limitBytes}`, { attempts: attempt, status: res.statusCode, budget: true });
          }
          return JSON.parse(text) as SubgraphResponse;
        },
      };
    } finally {
      if (!handedOver) budget?.give(size);
    }
  }

  /**
   * Reads the body chunk by chunk within the per-answer limit and the gateway's budget. On success its
   * bytes stay taken from the budget (the caller gives them back); on failure they are given back here.
   */
  private async readBody(res: Dispatcher.ResponseData, attempt: number): Promise<{ text: string; size: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    const budget = this.opts.budget;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (size + chunk.length > this.maxResponseBytes) {
          res.body.destroy();
          throw new DepartmentFetchError(this.name, "too_large", `${this.name}: answer over ${this.maxResponseBytes} bytes`, { attempts: attempt, status: res.statusCode });
        }
        if (budget && !budget.take(chunk.length)) {
          res.body.destroy();
          throw new DepartmentFetchError(this.name, "too_large", `${this.name}: answer would take the gateway's answer bytes in flight over their budget of ${budget.limitBytes}`, { attempts: attempt, status: res.statusCode, budget: true });
        }
        size += chunk.length;
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks, size).toString("utf8");
      chunks.length = 0;
      return { text, size };
    } catch (e) {
      budget?.give(size);
      throw e;
    }
  }

  /** Connections and requests of the pool (for metrics and tests). */
  stats(): { connected: number; free: number; pending: number; queued: number; running: number } {
    const s = this.pool.stats;
    return { connected: s.connected, free: s.free, pending: s.pending, queued: s.queued, running: s.running };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
