/**
 * HTTP to one department: undici's pooled keep-alive client (no WHATWG fetch/streams layer: the request
 * body is one buffer, the answer one string), and coalescing of identical in-flight queries.
 *
 * Coalescing: while a query is in flight, an identical one — same department, same body, same signed
 * caller context — waits for the same answer instead of being sent again (Hive Gateway and Cosmo do the
 * same). The key holds the whole caller context, so answers are only ever shared between requests of one
 * caller with one purpose and scope, never across callers; nothing is kept once the answer arrives (no
 * cache). Each waiter parses its own copy of the answer. Mutations are never coalesced.
 */
import { Pool } from "undici";

export interface SubgraphAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface SubgraphClientOptions {
  /** Deadline for the whole exchange (connect, headers and body), milliseconds. */
  timeoutMs: number;
  /** Largest answer accepted, bytes (a larger one fails like an unreachable department). */
  maxResponseBytes?: number;
  /** Sockets per department (keep-alive); default 32. */
  connections?: number;
  coalesce?: boolean;
}

const READ_ONLY = /^\s*(query\b|\{)/;

export class SubgraphClient {
  private readonly pool: Pool;
  /** The request target sent on the request line (what the department verifies the signature against). */
  readonly target: string;
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();
  /** Requests answered by another identical request in flight (for metrics and tests). */
  coalesced = 0;

  constructor(url: string, private readonly opts: SubgraphClientOptions) {
    const u = new URL(url);
    this.target = `${u.pathname}${u.search}`;
    this.pool = new Pool(u.origin, {
      connections: opts.connections ?? 32,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
      maxResponseSize: opts.maxResponseBytes ?? 64 * 1024 * 1024,
    });
  }

  /**
   * POSTs `body`. `identity` is what, besides the body, decides the answer (the caller context);
   * `headers(body)` builds the headers of a request actually sent (the signature covers the body).
   */
  post(body: string, query: string | undefined, identity: string, headers: (body: string) => Record<string, string>): Promise<SubgraphAnswer> {
    if (this.opts.coalesce === false || !query || !READ_ONLY.test(query)) return this.send(body, headers(body));
    const key = `${identity}\n${body}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      this.coalesced++;
      return pending;
    }
    const p = this.send(body, headers(body)).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async send(body: string, headers: Record<string, string>): Promise<SubgraphAnswer> {
    // One deadline for the whole exchange — waiting for a free connection, headers and body — so a
    // department that trickles its body cannot hold every request coalesced onto it.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const res = await this.pool.request({
        method: "POST",
        path: this.target,
        body,
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        signal: deadline.signal,
      });
      const contentType = String(res.headers["content-type"] ?? "");
      return { status: res.statusCode, contentType, text: await res.body.text() };
    } finally {
      clearTimeout(timer);
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
