/** The per-department circuit breaker, on a clock the test moves. */
import { CircuitBreaker } from "../../gateway/src/transport/circuit-breaker";
import type { BreakerSnapshot } from "../../gateway/src/transport/department-health";

function breaker(failureThreshold = 3, cooldownMs = 1000) {
  let now = 1_000_000;
  const changes: BreakerSnapshot[] = [];
  const b = new CircuitBreaker("elderly-care", { failureThreshold, cooldownMs, now: () => now, onChange: (s) => changes.push(s) });
  return { b, changes, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  it("opens after N consecutive failures, fails fast while open, and names the department in its snapshot", () => {
    const { b, changes } = breaker(3);
    b.acquire()!.failure();
    b.acquire()!.failure();
    expect(b.snapshot()).toEqual({ subgraph: "elderly-care", state: "closed", failures: 2 });
    b.acquire()!.failure();
    expect(b.snapshot()).toEqual({ subgraph: "elderly-care", state: "open", failures: 3, openedAt: new Date(1_000_000).toISOString() });
    expect(b.acquire()).toBeNull();
    expect(changes.map((c) => c.state)).toEqual(["open"]);
  });

  it("a success while closed resets the run of failures", () => {
    const { b } = breaker(3);
    b.acquire()!.failure();
    b.acquire()!.failure();
    b.acquire()!.success();
    b.acquire()!.failure();
    b.acquire()!.failure();
    expect(b.snapshot().state).toBe("closed");
  });

  it("after the cool-down lets one probe through (half-open); its success closes the breaker", () => {
    const { b, changes, advance } = breaker(1, 1000);
    b.acquire()!.failure();
    advance(999);
    expect(b.acquire()).toBeNull();
    advance(1);
    expect(b.snapshot().state).toBe("half_open");
    const probe = b.acquire()!;
    expect(probe).not.toBeNull();
    // One probe at a time: the others still fail fast.
    expect(b.acquire()).toBeNull();
    probe.success();
    expect(b.snapshot()).toEqual({ subgraph: "elderly-care", state: "closed", failures: 0 });
    expect(b.acquire()).not.toBeNull();
    expect(changes.map((c) => c.state)).toEqual(["open", "closed"]);
  });

  it("a failed probe opens it again for a whole cool-down", () => {
    const { b, advance } = breaker(1, 1000);
    b.acquire()!.failure();
    advance(1000);
    b.acquire()!.failure();
    expect(b.snapshot().state).toBe("open");
    advance(999);
    expect(b.acquire()).toBeNull();
    advance(1);
    expect(b.acquire()).not.toBeNull();
  });

  it("a probe that ends saying nothing (released) frees the probe slot; a permit settles once", () => {
    const { b, advance } = breaker(1, 1000);
    b.acquire()!.failure();
    advance(1000);
    const probe = b.acquire()!;
    probe.release();
    probe.failure(); // ignored: already settled
    expect(b.snapshot().state).toBe("half_open");
    expect(b.acquire()).not.toBeNull();
  });

  it("failures of fetches let through before it opened do not extend the cool-down", () => {
    const { b, advance } = breaker(2, 1000);
    const late = b.acquire()!;
    b.acquire()!.failure();
    b.acquire()!.failure();
    const openedAt = b.snapshot().openedAt;
    advance(500);
    late.failure();
    expect(b.snapshot().openedAt).toBe(openedAt);
    advance(500);
    expect(b.snapshot().state).toBe("half_open");
  });

  it("opens for another gateway's remaining cool-down (without telling observers), never shortening an open period", () => {
    const { b, changes, advance } = breaker(3, 1000);
    b.openFor(400);
    expect([b.state, b.acquire(), b.remainingMs()]).toEqual(["open", null, 400]);
    expect(changes).toEqual([]); // not announced back
    b.openFor(100); // a shorter one changes nothing
    expect(b.remainingMs()).toBe(400);
    b.openFor(5000); // longer than a cool-down: at most one cool-down
    expect(b.remainingMs()).toBe(1000);
    advance(1000);
    const probe = b.acquire()!; // half-open: one probe, as after its own opening
    expect([b.state, b.acquire()]).toEqual(["half_open", null]);
    probe.success();
    expect([b.state, changes.map((c) => c.state)]).toEqual(["closed", ["closed"]]);
    b.openFor(0);
    b.openFor(Number.NaN);
    expect(b.state).toBe("closed");
  });

  it("tells observers whether an opening is new or a reopening after a failed probe (only new ones are announced to peers)", () => {
    const seen: string[] = [];
    let now = 0;
    const b = new CircuitBreaker("civil-affairs", { failureThreshold: 1, cooldownMs: 100, now: () => now, onChange: (s, how) => seen.push(`${s.state}${how.reopened ? " again" : ""}`) });
    b.acquire()!.failure();
    now += 100;
    b.acquire()!.failure(); // the probe fails
    now += 100;
    b.acquire()!.success();
    expect(seen).toEqual(["open", "open again", "closed"]);
  });

  it("ignores a peer's opening while its own last answer is more recent than a cool-down", () => {
    const { b, advance } = breaker(3, 1000);
    b.acquire()!.success();
    advance(500);
    b.openFor(800); // a peer says the department fails, but it answered here 0.5 s ago
    expect(b.state).toBe("closed");
    advance(600);
    b.openFor(800);
    expect(b.state).toBe("open");
  });
});
