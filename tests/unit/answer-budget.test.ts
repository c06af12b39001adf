/** The gateway's budget of answer bytes in flight, and the collection it schedules after a large answer. */
import { AnswerBudget, exposedCollector } from "../../gateway/src/transport/answer-budget";

const turn = () => new Promise<void>((r) => setImmediate(r));

describe("answer budget", () => {
  it("takes bytes up to its limit and never below zero when given back", () => {
    const b = new AnswerBudget(100);
    expect(b.take(60)).toBe(true);
    expect(b.take(41)).toBe(false);
    expect(b.inFlight).toBe(60);
    expect(b.take(40)).toBe(true);
    b.give(100);
    b.give(5);
    expect(b.inFlight).toBe(0);
  });

  it("schedules one collection after the current I/O phase for the large answers ending in it, none for small ones", async () => {
    let runs = 0;
    let inFlightWhenCollected = -1;
    const b = new AnswerBudget(100, { afterBytes: 10, gc: () => { runs++; inFlightWhenCollected = b.inFlight; } });
    b.take(9);
    b.give(9);
    await turn();
    expect(runs).toBe(0);
    b.take(50);
    b.take(30);
    b.give(50);
    b.give(30);
    // Not during the phase that ended the answers (the data source still has to cut them)…
    expect(runs).toBe(0);
    await turn();
    // …once after it, for both.
    expect([runs, b.collections, inFlightWhenCollected]).toEqual([1, 1, 0]);
    b.take(10);
    b.give(10);
    await turn();
    expect(runs).toBe(2);
  });

  it("a collector that throws changes nothing; without one nothing is scheduled", async () => {
    const b = new AnswerBudget(100, { afterBytes: 1, gc: () => { throw new Error("no"); } });
    b.take(5);
    b.give(5);
    await turn();
    expect(b.collections).toBe(1);
    const plain = new AnswerBudget(100);
    plain.take(50);
    plain.give(50);
    expect(plain.collections).toBe(0);
  });

  it("finds the collector only where node exposes it", () => {
    const had = (globalThis as { gc?: unknown }).gc;
    try {
      delete (globalThis as { gc?: unknown }).gc;
      expect(exposedCollector()).toBeUndefined();
      let called = 0;
      (globalThis as { gc?: unknown }).gc = () => called++;
      exposedCollector()!();
      expect(called).toBe(1);
    } finally {
      (globalThis as { gc?: unknown }).gc = had;
      if (had === undefined) delete (globalThis as { gc?: unknown }).gc;
    }
  });
});
