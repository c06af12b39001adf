/** Readable text for the CLI: check reports, changes, tables. */
import type { ChangeSet } from "../registry/changes";
import type { CheckReport } from "../registry/types";

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return "(none)";
  const cell = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : String(v));
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => [...cell(r[c])].length));
  const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - [...s].length));
  const ws = columns.map(width);
  return [columns.map((c, i) => pad(c, ws[i])).join("  "), ...rows.map((r) => columns.map((c, i) => pad(cell(r[c]), ws[i])).join("  "))].join("\n");
}

export function renderChanges(c: ChangeSet): string {
  const lines: string[] = [];
  for (const [label, list] of [["breaking", c.breaking], ["dangerous", c.dangerous], ["safe", c.safe]] as const) {
    lines.push(`${label} (${list.length})`);
    for (const x of list) lines.push(`  - ${x.message}`);
  }
  return lines.join("\n");
}

export function renderReport(r: CheckReport): string {
  const lines = [`check of ${r.subgraph} against supergraph ${r.baseVersion ?? "(none)"}: ${r.ok ? "PASSED" : `REFUSED (${r.code})`}`];
  if (!r.composition.ok) {
    lines.push("composition errors:");
    for (const e of r.composition.errors) lines.push(`  - [${e.code ?? "?"}] ${e.subgraphs.join(",") || "?"} ${e.type ?? ""}${e.field ? "." + e.field : ""}: ${e.message}`);
  }
  lines.push(renderChanges(r.changes));
  if (r.operations.affected.length) {
    lines.push("operations using a breaking change:");
    for (const a of r.operations.affected) lines.push(`  - client ${a.client} ${a.clientVersion}, operation ${a.operation} (${a.operationId.slice(0, 12)}…): ${a.field} — ${a.source}${a.count ? `, ${a.count} times` : ""}`);
  }
  if (r.lint.errors.length) {
    lines.push("policy lint:");
    for (const e of r.lint.errors) lines.push(`  - [${e.rule}] ${e.message}`);
  }
  if (r.lint.warnings.length) {
    lines.push("policy lint warnings:");
    for (const w of r.lint.warnings) lines.push(`  - [${w.rule}] ${w.message}`);
  }
  if (r.approvals.required.length) {
    lines.push("approvals:");
    const granted = new Map(r.approvals.granted.map((g) => [g.subject, g]));
    for (const a of r.approvals.required) {
      const g = granted.get(a.subject);
      lines.push(`  - ${a.subject}: ${a.message} — ${g ? `approved by ${g.steward} (${g.reason})` : "PENDING: npm run schema -- approve '" + a.subject + "' --reason '…'"}`);
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const f of r.refusals) lines.push(`refused ${f.code}: ${f.message}`);
  return lines.join("\n");
}
