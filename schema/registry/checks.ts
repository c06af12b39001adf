/**
 * The checks a subgraph change must pass, in one structured report:
 * 1. composition (@apollo/composition) with the current versions of the other subgraphs;
 * 2. breaking / dangerous / safe changes of the API schema against the current supergraph (@graphql-inspector/core);
 * 3. operations: a breaking change that a registered client operation, or an operation the gateway served
 *    within the usage window, uses is refused naming client, operation and field; otherwise a warning;
 * 4. policy lint (./lint) with a warning where an outage would spread (./outage), and the steward approvals
 *    the change needs (./approvals); mask and requirement changes are listed in the report's `governance`.
 * Refusals, in this order of precedence: COMPOSITION_FAILED, POLICY_LINT_FAILED, BREAKING_CHANGE, APPROVAL_REQUIRED.
 */
import { parse, type DocumentNode, type GraphQLSchema } from "graphql";
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import { apiSchemaOf, composeDetailed } from "./composition";
import { affectedCoordinates, schemaChanges } from "./changes";
import { lintChange, lintComputedFields, lintSubgraphSdl, lintSupergraph } from "./lint";
import { outageSpreads } from "./outage";
import { fieldsTouched, listOperations } from "./operations";
import { servedSince } from "./usage";
import { resolveApprovals } from "./approvals";
import type { Contract } from "./contracts";
import type { SubgraphVersion, SupergraphVersion } from "./store";
import type { AffectedOperation, CheckReport, Refusal } from "./types";

export interface ProposedSubgraph {
  subgraph: string;
  sdl: string;
  routingUrl: string;
}

export interface CheckContext {
  db: SqlRunner;
  /** The current supergraph (null: the registry is empty) and the subgraph versions it was composed from. */
  base: SupergraphVersion | null;
  baseSubgraphs: SubgraphVersion[];
  contracts: Contract[];
  usageWindowMs: number;
  now?: Date;
}

export interface CheckOutcome {
  report: CheckReport;
  /** The composed supergraph when composition succeeded. */
  supergraphSdl?: string;
}

const PRECEDENCE: Refusal["code"][] = ["COMPOSITION_FAILED", "POLICY_LINT_FAILED", "BREAKING_CHANGE", "APPROVAL_REQUIRED"];
const MAX_NAMED = 5;

function emptyReport(subgraph: string, base: SupergraphVersion | null, windowMs: number): CheckReport {
  return {
    subgraph, ok: false, baseVersion: base?.version ?? null,
    composition: { ok: false, errors: [] },
    changes: { breaking: [], dangerous: [], safe: [] },
    operations: { affected: [], windowDays: windowMs / 86_400_000 },
    lint: { errors: [], warnings: [] },
    approvals: { required: [], granted: [] },
    governance: [],
    warnings: [], refusals: [],
  };
}

function finish(report: CheckReport): CheckReport {
  report.refusals.sort((a, b) => PRECEDENCE.indexOf(a.code) - PRECEDENCE.indexOf(b.code));
  report.ok = report.refusals.length === 0;
  if (report.refusals[0]) report.code = report.refusals[0].code;
  else delete report.code;
  return report;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

/** Checks proposed subgraph versions (one, or all of them when seeding) against the current supergraph. */
export async function runChecks(proposed: ProposedSubgraph[], ctx: CheckContext): Promise<CheckOutcome> {
  const name = proposed.map((p) => p.subgraph).join(",");
  const report = emptyReport(name, ctx.base, ctx.usageWindowMs);
  const replaced = new Set(proposed.map((p) => p.subgraph));
  const sources = [
    ...ctx.baseSubgraphs.filter((s) => !replaced.has(s.subgraph)).map((s) => ({ name: s.subgraph, url: s.routingUrl, sdl: s.sdl })),
    ...proposed.map((p) => ({ name: p.subgraph, url: p.routingUrl, sdl: p.sdl })),
  ];

  // Subgraph-level lint runs even when composition fails: it needs only the SDL.
  const docs = new Map<string, DocumentNode>();
  for (const p of proposed) {
    try {
      docs.set(p.subgraph, parse(p.sdl));
    } catch {
      /* reported by composition */
    }
  }
  for (const [sub, doc] of docs) report.lint.errors.push(...lintSubgraphSdl(sub, doc));

  const composed = composeDetailed(sources);
  if (!composed.ok) {
    report.composition = { ok: false, errors: composed.errors };
    const first = composed.errors[0];
    report.refusals.push({ code: "COMPOSITION_FAILED", message: `composition failed with ${plural(composed.errors.length, "error")}${first ? `: ${first.message}` : ""}` });
    if (report.lint.errors.length) report.refusals.push({ code: "POLICY_LINT_FAILED", message: `policy lint found ${plural(report.lint.errors.length, "problem")}: ${report.lint.errors[0].message}` });
    return { report: finish(report) };
  }
  report.composition = { ok: true, errors: [] };
  const after = { sdl: composed.supergraphSdl, api: apiSchemaOf(composed.supergraphSdl) };
  report.lint.errors.push(...lintSupergraph(after.sdl, after.api), ...lintComputedFields(after.sdl).filter((e) => replaced.has(e.subgraph ?? "")));
  // Availability, not privacy: a warning where an outage would null more than the failed department's fields.
  for (const { involves, ...w } of outageSpreads(after.sdl, after.api)) if (involves.some((sub) => replaced.has(sub))) report.lint.warnings.push(w);

  if (ctx.base) {
    const before = { sdl: ctx.base.sdl, api: apiSchemaOf(ctx.base.sdl) };
    report.changes = await schemaChanges(before.api, after.api);
    for (const [sub, doc] of docs) {
      const c = lintChange({ subgraph: sub, subgraphDoc: doc, before, after, contracts: ctx.contracts });
      report.lint.errors.push(...c.errors);
      report.lint.warnings.push(...c.warnings);
      report.approvals.required.push(...c.approvals);
      report.governance!.push(...c.governance);
    }
    await checkOperations(report, before.api, ctx);
    const { granted, pending } = await resolveApprovals(ctx.db, report.approvals.required);
    report.approvals.granted = granted;
    if (pending.length) {
      report.refusals.push({
        code: "APPROVAL_REQUIRED",
        message: `${plural(pending.length, "change")} need${pending.length === 1 ? "s" : ""} a data steward's approval: ${pending.slice(0, MAX_NAMED).map((p) => `${p.message} [${p.subject}]`).join("; ")}${pending.length > MAX_NAMED ? "; …" : ""}`,
      });
    }
  }
  if (report.lint.errors.length) {
    report.refusals.push({ code: "POLICY_LINT_FAILED", message: `policy lint found ${plural(report.lint.errors.length, "problem")}: ${report.lint.errors.slice(0, MAX_NAMED).map((e) => e.message).join("; ")}${report.lint.errors.length > MAX_NAMED ? "; …" : ""}` });
  }
  return { report: finish(report), supergraphSdl: after.sdl };
}

async function checkOperations(report: CheckReport, before: GraphQLSchema, ctx: CheckContext): Promise<void> {
  if (!report.changes.breaking.length) return;
  const registered = (await listOperations(ctx.db)).map((o) => ({ ...o, fields: new Set(fieldsTouched(before, o.document)) }));
  const since = new Date((ctx.now ?? new Date()).getTime() - ctx.usageWindowMs);
  const served = (await servedSince(ctx.db, since)).map((s) => ({ ...s, fieldSet: new Set(s.fields) }));
  for (const change of report.changes.breaking) {
    const coords = affectedCoordinates(change, before);
    const hits: AffectedOperation[] = [];
    for (const coord of coords) {
      for (const o of registered) {
        if (o.fields.has(coord)) hits.push({ source: "registered", client: o.client, clientVersion: o.clientVersion, operation: o.name, operationId: o.id, field: coord, change: change.message });
      }
      for (const s of served) {
        if (s.fieldSet.has(coord)) hits.push({ source: "served", client: s.client, clientVersion: s.clientVersion, operation: s.operationName, operationId: s.operationHash, field: coord, change: change.message, count: s.count });
      }
    }
    if (hits.length) report.operations.affected.push(...hits);
    else report.warnings.push(`breaking change passes because no registered operation and no operation served in the last ${report.operations.windowDays} days uses it: ${change.message}`);
  }
  const affected = report.operations.affected;
  if (affected.length) {
    const named = affected.slice(0, MAX_NAMED).map((a) => `client ${a.client} ${a.clientVersion} operation ${a.operation} uses ${a.field} (${a.source === "registered" ? "registered" : `served ${a.count} times in the last ${report.operations.windowDays} days`})`);
    report.refusals.push({ code: "BREAKING_CHANGE", message: `breaking change used by client operations: ${named.join("; ")}${affected.length > MAX_NAMED ? "; …" : ""}` });
  }
}
