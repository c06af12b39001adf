/**
 * The gateway-wide budget of department answer bytes in flight: every answer being received (and parsed)
 * holds the bytes it has received so far; a chunk that would take the total over the budget fails that
 * answer (SUBGRAPH_RESPONSE_TOO_LARGE), so however many departments send large answers at once, the
 * gateway holds at most the budget of them. Shared by all departments' clients of one gateway.
 *
 * An answer costs the gateway about four times its size while it is read and parsed (the socket's chunks,
 * the joined buffer, the text, the parse), all garbage once the answer has been cut to what was asked.
 * V8 collects large garbage late (an external-memory allowance of 64 MB, large strings at the next full
 * collection), so a department answering near the per-answer limit many times over pushed the gateway's
 * RSS past its budget without anything being alive. With `collect`, giving back the bytes of an answer of
 * at least `afterBytes` (read or abandoned) schedules one full collection for after the current I/O phase
 * — by then the data source has cut the answer — however many such answers end in that phase.
 */
export interface Collection {
  /** Bytes of one answer from which its end schedules a collection. */
  afterBytes: number;
  /** The collector (`globalThis.gc`, exposed by `--expose-gc`). */
  gc: () => void;
}

export class AnswerBudget {
  private used = 0;
  private collecting = false;
  /** Collections scheduled after large answers (for metrics and tests). */
  collections = 0;

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
    if (this.collect && n >= this.collect.afterBytes && !this.collecting) {
      this.collecting = true;
      this.collections++;
      setImmediate(() => {
        this.collecting = false;
        try {
          this.collect!.gc();
        } catch {
          /* a collector that fails changes nothing about the answers */
        }
      });
    }
  }

  /** Bytes held by answers in flight (for metrics and tests). */
  get inFlight(): number {
    return this.used;
  }
}

/** The process's collector when node runs with `--expose-gc`, else none. */
export function exposedCollector(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? () => (gc as () => void)() : undefined;
}
