/**
 * The gateway-wide budget of department answer bytes in flight: every answer being received holds the
 * bytes it has received so far, and once it is used, the request that used it holds them until its response
 * has been sent or abandoned (an `AnswerHold` per request: the parse, the merged result and the serialised
 * response live that long). A chunk that would take the total over the budget fails that answer
 * (SUBGRAPH_RESPONSE_TOO_LARGE), and so does a copy of a shared answer for a request that cannot take its
 * bytes: however many departments send large answers at once, and however many requests ask for large
 * answers at once, the gateway holds at most the budget of them. Shared by all departments' clients of one
 * gateway.
 *
 * An answer costs the gateway about four times its size while it is read and parsed (the socket's chunks,
 * the joined buffer, the text, the parse), all garbage once the answer has been cut to what was asked.
 * V8 collects large garbage late (an external-memory allowance of 64 MB, large strings at the next full
 * collection), so a department answering near the per-answer limit many times over pushed the gateway's
 * RSS past its budget without anything being alive. With `collect`, giving back the bytes of an answer of
 * at least `afterBytes` (read or abandoned) asks for one full collection after the current I/O phase (by
 * then the data source has cut the answer). It runs only if the process's RSS is at least `aboveRssBytes`
 * (a gateway with room left lets V8 decide), and only if collections so far have taken at most `maxShare`
 * of the time since the previous one started: a department or client provoking large answers without end
 * cannot make the gateway spend more than that share of its event loop collecting.
 */
export interface Collection {
  /** Bytes of one answer from which its end asks for a collection. */
  afterBytes: number;
  /** The collector (`globalThis.gc`, exposed by `--expose-gc`). */
  gc: () => void;
  /** RSS from which a collection runs (below it, none). */
  aboveRssBytes: number;
  /** Largest share of wall time spent in these collections (default 0.2). */
  maxShare?: number;
  /** The process's RSS and a clock (tests give their own). */
  rss?: () => number;
  now?: () => number;
}

export class AnswerBudget {
  private used = 0;
  private asked = false;
  /** When the previous collection started, and how long it took (ms). */
  private lastStart = -Infinity;
  private lastMs = 0;
  /** Collections run after large answers and the time they took (for metrics and tests). */
  collections = 0;
  collectionMs = 0;

  constructor(
    readonly limitBytes: number,
    private readonly collect?: Collection,
  ) {}

  /** Takes `n` more bytes; false (nothing taken) when that would exceed the budget. */
  take(n: number): boolean {
    if (this.used + n > this.limitBytes) return false;
    this.used += n;
    return true;
  }

  /** Gives back the bytes of one answer (all it had taken). */
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
    if (this.collect && n >= this.collect.afterBytes && !this.asked) {
      this.asked = true;
      setImmediate(() => {
        this.asked = false;
        this.collectIfDue(this.collect!);
      });
    }
  }

  private collectIfDue(c: Collection): void {
    const now = c.now ?? performance.now.bind(performance);
    const started = now();
    if ((c.rss ?? process.memoryUsage.rss)() < c.aboveRssBytes) return;
    // The previous collection's time may be at most `maxShare` of the time since it started.
    if (this.lastMs > (started - this.lastStart) * (c.maxShare ?? 0.2)) return;
    try {
      c.gc();
    } catch {
      /* a collector that fails changes nothing about the answers */
    }
    this.lastStart = started;
    this.lastMs = now() - started;
    this.collections++;
    this.collectionMs += this.lastMs;
  }

  /** Bytes held by answers in flight (for metrics and tests). */
  get inFlight(): number {
    return this.used;
  }

  /** A ledger for one request's answers, released when its response has been sent or abandoned. */
  hold(): AnswerHold {
    return new AnswerHold(this);
  }
}

/** The answer bytes one request holds from this budget until `release()` (idempotent). */
export class AnswerHold {
  private bytes = 0;
  private isReleased = false;

  constructor(readonly budget: AnswerBudget) {}

  /** Keeps `n` bytes already taken from the budget (an answer's received bytes); after release, gives them back. */
  keep(n: number): void {
    if (this.isReleased) this.budget.give(n);
    else this.bytes += n;
  }

  /** Takes `n` more bytes for this request (a copy of a shared answer); false when the budget has no room. */
  take(n: number): boolean {
    if (!this.budget.take(n)) return false;
    this.keep(n);
    return true;
  }

  /** Gives everything held back to the budget; later answers of this request are given back at once. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    const n = this.bytes;
    this.bytes = 0;
    this.budget.give(n);
  }

  get held(): number {
    return this.bytes;
  }

  /** Whether `release()` has been called. */
  get released(): boolean {
    return this.isReleased;
  }
}

/** The process's collector when node runs with `--expose-gc`, else none. */
export function exposedCollector(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? () => (gc as () => void)() : undefined;
}
