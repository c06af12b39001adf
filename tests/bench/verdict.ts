/**
 * Verdict logic of every benchmark report, in one place and unit-tested (tests/unit/bench-verdict.test.ts).
 *
 * A verdict ("met" / "not met") is only ever given on figures that exist: a gateway (or system) that served
 * no request in a measured slice, a figure that is missing, zero, negative, NaN or infinite, or a ratio whose
 * reference is any of those, makes the comparison — and the run — FAILED, with a message naming what was
 * missing. Nothing here prints "target met" with Infinity× or -Infinity %.
 */

export type Status = "met" | "not met" | "failed" | "not judged";

export interface Verdict {
  /** What is judged, e.g. "ours ≥ 3× stock Apollo, priority-elder page". */
  target: string;
  status: Status;
  /** The figures, or (failed / not judged) why there is no verdict. */
  detail: string;
}

/** A measured figure that may be absent; `what` names it in messages ("ours req/s, priority-elders"). */
export interface Figure {
  what: string;
  value: number | undefined | null;
  /** Why the figure is absent, when known (e.g. "the gateway exited", "served 0 requests in slice 2"). */
  problem?: string;
}

export type Checked = { ok: true; value: number } | { ok: false; reason: string };

/** A figure usable in a comparison: present, finite and > 0 (a rate, a latency or a CPU time of 0 is a failed measurement). */
export function usable(f: Figure): Checked {
  if (f.problem) return { ok: false, reason: `${f.what}: ${f.problem}` };
  const v = f.value;
  if (v === undefined || v === null) return { ok: false, reason: `${f.what}: missing (not measured)` };
  if (typeof v !== "number" || Number.isNaN(v)) return { ok: false, reason: `${f.what}: not a number` };
  if (!Number.isFinite(v)) return { ok: false, reason: `${f.what}: infinite (${v})` };
  if (v <= 0) return { ok: false, reason: `${f.what}: ${v} (zero or negative — nothing was measured)` };
  return { ok: true, value: v };
}

/** numerator ÷ reference, refusing a missing, zero or non-finite side of either. */
export function ratio(numerator: Figure, reference: Figure): Checked {
  const n = usable(numerator);
  const d = usable(reference);
  if (!d.ok) return { ok: false, reason: `reference ${d.reason}` };
  if (!n.ok) return n;
  const r = n.value / d.value;
  return Number.isFinite(r) && r > 0 ? { ok: true, value: r } : { ok: false, reason: `${numerator.what} ÷ ${reference.what} is not a finite ratio` };
}

const x = (r: number) => `${r.toFixed(2)}×`;

/** Judges `numerator ÷ reference ≥ min` (e.g. ours ≥ 3× Apollo in req/s). */
export function atLeastTimes(target: string, numerator: Figure, reference: Figure, min: number): Verdict {
  const r = ratio(numerator, reference);
  if (!r.ok) return { target, status: "failed", detail: `no verdict: ${r.reason}` };
  const met = r.value >= min;
  return { target, status: met ? "met" : "not met", detail: `${numerator.what} ${fmtNum(numerator.value!)} ÷ ${reference.what} ${fmtNum(reference.value!)} = ${x(r.value)} (target ≥ ${x(min)}${met ? "" : `: short by ${((min / r.value - 1) * 100).toFixed(0)} %`})` };
}

/** Judges `numerator ÷ reference ≤ max` (e.g. federated ÷ monolith CPU per page ≤ 3×). */
export function atMostTimes(target: string, numerator: Figure, reference: Figure, max: number): Verdict {
  const r = ratio(numerator, reference);
  if (!r.ok) return { target, status: "failed", detail: `no verdict: ${r.reason}` };
  const met = r.value <= max;
  return { target, status: met ? "met" : "not met", detail: `${numerator.what} ${fmtNum(numerator.value!)} ÷ ${reference.what} ${fmtNum(reference.value!)} = ${x(r.value)} (target ≤ ${x(max)}${met ? "" : `: over by ${((r.value / max - 1) * 100).toFixed(0)} %`})` };
}

/**
 * Judges an overhead `1 − with ÷ without ≤ max` (throughput lost with governance on): both must be usable.
 * The loss is reported as a signed percentage (negative: the governed gateway was faster).
 */
export function overheadAtMost(target: string, withFeature: Figure, without: Figure, max: number): Verdict {
  const r = ratio(withFeature, without);
  if (!r.ok) return { target, status: "failed", detail: `no verdict: ${r.reason}` };
  const loss = 1 - r.value;
  return { target, status: loss <= max ? "met" : "not met", detail: `${pct(loss)} (${fmtNum(withFeature.value!)} vs ${fmtNum(without.value!)})` };
}

/** Judges an absolute figure `value ≤ max` (e.g. ≤ 5 ms CPU per page, ≤ 300 MB). */
export function atMost(target: string, f: Figure, max: number, unit: string): Verdict {
  const c = usable(f);
  if (!c.ok) return { target, status: "failed", detail: `no verdict: ${c.reason}` };
  const met = c.value <= max;
  return { target, status: met ? "met" : "not met", detail: `${f.what} ${fmtNum(c.value)} ${unit} (target ≤ ${fmtNum(max)} ${unit}${met ? "" : `: over by ${fmtNum(c.value - max)} ${unit}, ${x(c.value / max)}`})` };
}

/** Several verdicts of one target (e.g. "every workload"): failed if any failed, else not met if any not met. */
export function all(target: string, parts: Verdict[]): Verdict {
  if (!parts.length) return { target, status: "failed", detail: "no verdict: nothing was measured" };
  const status: Status = parts.some((p) => p.status === "failed") ? "failed" : parts.some((p) => p.status === "not met") ? "not met" : parts.every((p) => p.status === "not judged") ? "not judged" : "met";
  return { target, status, detail: parts.map((p) => `${p.target}: ${p.status === "met" || p.status === "not met" ? "" : `${p.status.toUpperCase()} — `}${p.detail}`).join("; ") };
}

/** A target left out on purpose (its gateway or workload was not selected for this run): no verdict, and not a failure. */
export const notJudged = (target: string, why: string): Verdict => ({ target, status: "not judged", detail: why });

/** One load slice of a measured run. */
export interface Slice {
  requests: number;
}

/**
 * Why a measured run (all its slices) cannot be used, or null: no slices, a slice with no request served,
 * or a rate that is not a positive finite number.
 */
export function runProblem(slices: Slice[], rps: number | undefined): string | null {
  if (!slices.length) return "no measured slice";
  const empty = slices.map((s, i) => (s.requests > 0 ? -1 : i + 1)).filter((i) => i > 0);
  if (empty.length) return `served 0 requests in slice${empty.length > 1 ? "s" : ""} ${empty.join(", ")} of ${slices.length}`;
  if (rps === undefined || !Number.isFinite(rps) || rps <= 0) return `throughput ${rps} req/s`;
  return null;
}

/** The failures of a run's verdicts, as messages; an empty list means the run can be reported. */
export function failures(verdicts: Verdict[]): string[] {
  return verdicts.filter((v) => v.status === "failed").map((v) => `${v.target}: ${v.detail}`);
}

export const mark = (s: Status) => (s === "met" ? "**met**" : s === "not met" ? "**not met**" : s === "failed" ? "**FAILED RUN**" : "not judged");
export const symbol = (s: Status) => (s === "met" ? "✓" : s === "not met" ? "✗" : s === "failed" ? "FAILED" : "–");

export function pct(n: number): string {
  return `${n >= 0 ? "+" : ""}${(n * 100).toFixed(1)} %`;
}

export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toLocaleString("en", { maximumFractionDigits: 0 }) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}
