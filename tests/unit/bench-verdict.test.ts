import { all, atLeastTimes, atMost, atMostTimes, failures, notJudged, overheadAtMost, ratio, runProblem, usable } from "../../tests/bench/verdict";
import { ratioTable, runFailures, targets, type Row, type RunInfo } from "../../tests/bench/report";
import type { GatewayName } from "../../tests/bench/gateways";
import type { LoadResult } from "../../tests/bench/load";

const f = (what: string, value: number | undefined, problem?: string) => ({ what, value, problem });

describe("benchmark verdicts: no verdict without figures", () => {
  it("refuses missing, zero, negative, NaN and infinite figures", () => {
    expect(usable(f("a", 5))).toEqual({ ok: true, value: 5 });
    for (const v of [undefined, 0, -1, NaN, Infinity, -Infinity]) expect(usable(f("a", v)).ok).toBe(false);
    expect(usable(f("a", 5, "the gateway exited"))).toEqual({ ok: false, reason: "a: the gateway exited" });
  });

  it("a ratio whose reference is zero or missing is no ratio (no Infinity×)", () => {
    expect(ratio(f("ours", 30), f("apollo", 10))).toEqual({ ok: true, value: 3 });
    const zero = ratio(f("ours", 30), f("apollo", 0));
    expect(zero.ok).toBe(false);
    expect(!zero.ok && zero.reason).toMatch(/^reference apollo: 0/);
    expect(ratio(f("ours", 30), f("apollo", undefined)).ok).toBe(false);
    expect(ratio(f("ours", 0), f("apollo", 10)).ok).toBe(false);
  });

  it("a comparison with a zero or missing side is FAILED, never met", () => {
    for (const ref of [0, undefined, NaN, Infinity]) {
      const v = atLeastTimes("ours ≥ 3× apollo", f("ours", 100), f("apollo", ref), 3);
      expect(v.status).toBe("failed");
      expect(v.detail).not.toMatch(/Infinity×|-Infinity %|NaN/);
    }
    expect(atLeastTimes("t", f("ours", 0), f("apollo", 10), 3).status).toBe("failed");
    expect(atMostTimes("t", f("fed", 10), f("mono", 0), 3).status).toBe("failed");
    expect(overheadAtMost("t", f("on", 10), f("off", 0), 0.1).status).toBe("failed");
    expect(overheadAtMost("t", f("on", 0), f("off", 10), 0.1).status).toBe("failed");
    expect(atMost("t", f("rss", undefined), 300, "MB").status).toBe("failed");
  });

  it("judges real figures both ways", () => {
    expect(atLeastTimes("t", f("ours", 31), f("apollo", 10), 3).status).toBe("met");
    expect(atLeastTimes("t", f("ours", 29), f("apollo", 10), 3)).toMatchObject({ status: "not met", detail: expect.stringContaining("short by") });
    expect(atMostTimes("t", f("fed", 29), f("mono", 10), 3).status).toBe("met");
    expect(atMostTimes("t", f("fed", 31), f("mono", 10), 3).status).toBe("not met");
    expect(overheadAtMost("t", f("on", 95), f("off", 100), 0.1)).toMatchObject({ status: "met", detail: expect.stringContaining("+5.0 %") });
    expect(overheadAtMost("t", f("on", 85), f("off", 100), 0.1).status).toBe("not met");
    expect(atMost("t", f("rss", 301), 300, "MB").status).toBe("not met");
  });

  it("a target of several parts fails when any part failed, and lists the failures", () => {
    const ok = atMost("a", f("x", 1), 2, "ms");
    const bad = atMost("b", f("x", 0), 2, "ms");
    expect(all("t", [ok, bad]).status).toBe("failed");
    expect(all("t", [ok, atMost("c", f("x", 3), 2, "ms")]).status).toBe("not met");
    expect(all("t", [ok, notJudged("d", "not selected")]).status).toBe("met");
    expect(all("t", []).status).toBe("failed");
    expect(failures([ok, all("t", [ok, bad])])).toHaveLength(1);
  });

  it("a run with a slice that served no requests is a problem", () => {
    expect(runProblem([{ requests: 10 }, { requests: 12 }], 11)).toBeNull();
    expect(runProblem([{ requests: 10 }, { requests: 0 }], 5)).toBe("served 0 requests in slice 2 of 2");
    expect(runProblem([], undefined)).toBe("no measured slice");
    expect(runProblem([{ requests: 3 }], Infinity)).toMatch(/Infinity/);
  });
});

describe("benchmark report: a gateway that served nothing makes a failed run", () => {
  const load = (rps: number): LoadResult => ({ requests: Math.round(rps * 10), seconds: 10, rps, p50: 10, p95: 20, p99: 30, non2xx: 0, graphqlErrors: 0, transportErrors: 0 });
  const names: GatewayName[] = ["ours", "ours-ungoverned", "apollo-stock", "hive", "hive-rust"];
  const run = (rps: Partial<Record<GatewayName, number>>, problems: Partial<Record<GatewayName, string>> = {}): RunInfo => ({
    date: "2026-12-02",
    command: "npm run bench",
    citizens: 100,
    connections: 1,
    durationS: 1,
    warmupS: 0,
    workloads: [{ name: "priority-elders", title: "" }],
    gateways: names.map((name) => ({ name, label: name })),
    rows: names.map((g): Row => ({ gateway: g, label: g, workload: "priority-elders", result: rps[g] === undefined ? undefined : load(rps[g]!), problem: problems[g], peakRssMb: 200, gatewayRssMb: 200, treePeakRssMb: 350, notAvailable: rps[g] === undefined ? "the gateway exited" : undefined })),
    dataNote: "",
    sameRequest: false,
  });

  it("judges a complete run", () => {
    const t = targets(run({ ours: 90, "ours-ungoverned": 95, "apollo-stock": 30, hive: 40, "hive-rust": 80 }));
    expect(t.map((x) => x.status)).toEqual(["met", "met", "met"]);
    expect(runFailures(run({ ours: 90, "ours-ungoverned": 95, "apollo-stock": 30, hive: 40, "hive-rust": 80 }))).toEqual([]);
  });

  it("a reference that served 0 requests in a slice fails the run instead of 'met' with Infinity×", () => {
    const r = run({ ours: 90, "ours-ungoverned": 95, "apollo-stock": 0, hive: 40, "hive-rust": 0 }, { "apollo-stock": "served 0 requests in slice 1 of 3", "hive-rust": "served 0 requests in slice 2 of 3" });
    const t = targets(r);
    expect(t[0].status).toBe("failed");
    expect(t[0].detail).toContain("served 0 requests");
    expect(JSON.stringify(t)).not.toMatch(/Infinity|NaN/);
    expect(runFailures(r).length).toBeGreaterThan(0);
    expect(ratioTable(r)).not.toMatch(/Infinity|NaN/);
  });

  it("ours serving nothing fails the run (no -Infinity % overhead)", () => {
    const r = run({ ours: 0, "ours-ungoverned": 95, "apollo-stock": 30, hive: 40, "hive-rust": 80 }, { ours: "served 0 requests in slice 1 of 3" });
    const t = targets(r);
    expect(t[0].status).toBe("failed");
    expect(t[1].status).toBe("failed");
    expect(JSON.stringify(t)).not.toMatch(/Infinity|NaN/);
  });

  it("a gateway that exited (no result) fails the run", () => {
    const r = run({ ours: 90, "ours-ungoverned": 95, hive: 40, "hive-rust": 80 });
    expect(targets(r)[0].status).toBe("failed");
    expect(runFailures(r).join("\n")).toContain("apollo-stock");
  });

  it("a gateway left out with --only is not judged, not failed", () => {
    const r = run({ ours: 90, "ours-ungoverned": 95, "apollo-stock": 30 });
    r.gateways = r.gateways.filter((g) => ["ours", "ours-ungoverned", "apollo-stock"].includes(g.name));
    r.rows = r.rows.filter((x) => r.gateways.some((g) => g.name === x.gateway));
    const t = targets(r);
    expect(t[0].status).toBe("met");
    expect(t[0].detail).toContain("NOT JUDGED");
    expect(runFailures(r)).toEqual([]);
  });
});
