/**
 * The gateway-wide budget of department answer bytes in flight: every answer being received (and parsed)
 * holds the bytes it has received so far; a chunk that would take the total over the budget fails that
 * answer (SUBGRAPH_RESPONSE_TOO_LARGE), so however many departments send large answers at once, the
 * gateway holds at most the budget of them. Shared by all departments' clients of one gateway.
 */
export class AnswerBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  /** Takes `n` more bytes; false (nothing taken) when that would exceed the budget. */
  take(n: number): boolean {
    if (this.used + n > this.limitBytes) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /** Bytes held by answers in flight (for metrics and tests). */
  get inFlight(): number {
    return this.used;
  }
}
