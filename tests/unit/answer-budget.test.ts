/** The gateway's budget of answer bytes in flight, and the collection it asks for after a large answer. */
import { AnswerBudget, exposedCollector, type Collection } from "../../gateway/src/transport/answer-budget";

const turn = () => new Promise<void>((r) => setImmediate(r));

/** A budget whose collector, RSS and clock the test controls; each collection "takes" `gcMs`. */
function controlled(over: Partial<Collection> = {}) {
  const state = { now: 0, rss: 500, gcMs: 10, runs: 0, inFlightWhenCollected: -1 };
  const b: AnswerBudget = new AnswerBudget(100, {
    afterBytes: 10,
    aboveRssBytes: 200,
    gc: () => {
      state.runs++;
      state.inFlightWhenCollected = b.inFlight;
      state.now += state.gcMs;
    },
    rss: () => state.rss,
    now: () => state.now,
    ...over,
  });
  const answer = async (n: number) => {
    b.take(n);
    b.give(n);
    await turn();
  };
  return { b, state, answer };
}

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

  it("collects once after the I/O phase in which large answers ended, never for small ones", async () => {
    const { b, state, answer } = controlled();
    await answer(9);
    expect(state.runs).toBe(0);
    b.take(50);
    b.take(30);
    b.give(50);
    b.give(30);
    // Not during the phase that ended the answers (the data source still has to cut them)…
    expect(state.runs).toBe(0);
    await turn();
    // …once after it, for both.
    expect([state.runs, b.collections, state.inFlightWhenCollected, b.collectionMs]).toEqual([1, 1, 0, 10]);
  });

  it("collects only while the process's RSS is at its threshold or above", async () => {
    const { b, state, answer } = controlled();
    state.rss = 199;
    await answer(50);
    expect(state.runs).toBe(0);
    state.rss = 200;
    await answer(50);
    expect(state.runs).toBe(1);
    expect(b.collections).toBe(1);
  });

  it("spends at most a fifth of the time collecting, however many large answers arrive", async () => {
    const { state, answer } = controlled();
    // A large answer every millisecond for 2 s, each collection taking 10 ms.
    for (let t = 0; t < 2000; t++) {
      await answer(50);
      state.now += 1;
    }
    // (the last collection may have started just before the end: one collection's time of slack)
    expect(state.runs * state.gcMs).toBeLessThanOrEqual(0.2 * state.now + state.gcMs);
    expect(state.runs).toBeGreaterThan(20); // …and does collect, about every 50 ms
    const share = controlled({ maxShare: 0.05 });
    for (let t = 0; t < 2000; t++) {
      await share.answer(50);
      share.state.now += 1;
    }
    expect(share.state.runs * share.state.gcMs).toBeLessThanOrEqual(0.05 * share.state.now + share.state.gcMs);
    expect(share.state.runs).toBeLessThan(state.runs / 3);
  });

  it("a collector that throws changes nothing; without one nothing is asked", async () => {
    const { b, answer } = controlled({ gc: () => { throw new Error("no"); } });
    await answer(50);
    expect(b.collections).toBe(1);
    const plain = new AnswerBudget(100);
    plain.take(50);
    plain.give(50);
    await turn();
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
