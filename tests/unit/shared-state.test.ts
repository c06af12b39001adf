/** The shared state's token bucket and revocations, in memory and in Redis (the same contract). */
import { createMemoryState, createRedisState, type SharedState } from "../../gateway/src/state/shared-state";
import { REDIS_AVAILABLE, REDIS_URL } from "../helpers/postgres";
import { until } from "../helpers/wait";

const kinds: [string, () => SharedState][] = [["memory", () => createMemoryState()]];
if (REDIS_AVAILABLE) kinds.push(["redis", () => createRedisState(REDIS_URL, `cgunit${process.pid}${Math.random().toString(36).slice(2)}:`)]);
else it.skip("Redis (not available)", () => undefined);

describe.each(kinds)("%s state", (_kind, make) => {
  let state: SharedState;
  beforeEach(() => {
    state = make();
  });
  afterEach(() => state.close());

  it("lets a burst through, then refuses with the time until the next token", async () => {
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await state.take("caller:a", 1, 3));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    expect(verdicts[3].retryAfterMs).toBeGreaterThan(0);
    expect(verdicts[3].retryAfterMs).toBeLessThanOrEqual(1000);
    expect((await state.take("caller:b", 1, 3)).allowed).toBe(true);
  });

  it("remembers values with a time to live", async () => {
    await state.set("token:x", "{\"a\":1}", 60_000);
    expect(await state.get("token:x")).toBe("{\"a\":1}");
    expect(await state.get("token:missing")).toBeUndefined();
  });

  it("keeps the latest revocation of a subject", async () => {
    expect(await state.revokedBefore("s")).toBeUndefined();
    await state.revokeSubject("s", 100);
    await state.revokeSubject("s", 50);
    expect(await state.revokedBefore("s")).toBe(100);
    expect(await state.ping()).toBe(true);
  });

  it("delivers published messages to subscribers and tells how long a value still lives", async () => {
    const got: string[] = [];
    await state.subscribe("breakers", (m) => got.push(m));
    await state.publish("breakers", "熔断:civil-affairs");
    await until(() => got.length > 0, "the message", 5000);
    expect(got).toEqual(["熔断:civil-affairs"]);
    await state.set("breaker:x", "open", 5000);
    const ms = await state.remainingMs("breaker:x");
    expect(ms).toBeGreaterThan(4000);
    expect(ms).toBeLessThanOrEqual(5000);
    expect(await state.remainingMs("breaker:none")).toBe(0);
  });
});
