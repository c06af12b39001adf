/**
 * Stewards' approvals (append-only). A change that needs one names its subject, a stable key:
 *   downgrade:<Type.field or argument>:<OLD>><NEW>      a sensitivity class lowered or removed (NONE)
 *   transfer:<Type.field>:<from subgraph>><to subgraph>  a field another department's subgraph resolves
 *   exposure:<contract>:<Type.field>                     a field newly visible in a contract
 *   requires:<Type.field>:<Type.requiredField>           a field computed (@requires) from another department's
 *                                                         PERSONAL or SENSITIVE field: the gateway sends that data to the subgraph
 *   provides:<Type.field>:<Type.providedField>           a subgraph answering (@provides) another department's personal field
 *   mask:<Type.field>:<OLD>><NEW>                        a field's mask kind changed to one that shows more, or removed (NONE)
 *   scopes:<Type.field>, policy:<Type.field>,            @requiresScopes / @policy removed or weakened (an alternative that
 *   authenticated:<Type.field>                            needs less), @authenticated removed without a stronger requirement
 * A steward approves the subject with a reason; the check that needed it then passes, and its report (kept
 * with the published version) names the approval.
 */
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import type { Actor, GrantedApproval, RequiredApproval } from "./types";

const COORD = String.raw`[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*(?:\([A-Za-z_][A-Za-z0-9_]*:\))?`;
const CLASS = "(?:PUBLIC|INTERNAL|PERSONAL|SENSITIVE|NONE)";
const SUBGRAPH = "[A-Za-z0-9_-]+";
const MASK = "[A-Z][A-Z0-9_]*";
export const SUBJECT = new RegExp(
  `^(?:downgrade:${COORD}:${CLASS}>${CLASS}|transfer:${COORD}:${SUBGRAPH}>${SUBGRAPH}|exposure:[a-z0-9-]+:${COORD}` +
  `|(?:requires|provides):${COORD}:${COORD}|mask:${COORD}:${MASK}>${MASK}|(?:scopes|policy|authenticated):${COORD})$`);

export const downgradeSubject = (coord: string, from: string, to: string) => `downgrade:${coord}:${from}>${to}`;
export const transferSubject = (coord: string, from: string, to: string) => `transfer:${coord}:${from}>${to}`;
export const exposureSubject = (contract: string, coord: string) => `exposure:${contract}:${coord}`;
export const requiresSubject = (coord: string, required: string) => `requires:${coord}:${required}`;
export const providesSubject = (coord: string, provided: string) => `provides:${coord}:${provided}`;
export const maskSubject = (coord: string, from: string, to: string) => `mask:${coord}:${from}>${to}`;
export const requirementSubject = (kind: "scopes" | "policy" | "authenticated", coord: string) => `${kind}:${coord}`;

export const kindOf = (subject: string) => subject.split(":")[0] as RequiredApproval["kind"];

export interface Approval {
  id: number;
  subject: string;
  kind: RequiredApproval["kind"];
  steward: string;
  role: string;
  reason: string;
  at: string;
}

const toApproval = (r: Record<string, unknown>): Approval => ({
  id: Number(r.id), subject: String(r.subject), kind: r.kind as Approval["kind"], steward: String(r.steward_sub), role: String(r.steward_role),
  reason: String(r.reason), at: (r.approved_at instanceof Date ? r.approved_at : new Date(String(r.approved_at))).toISOString(),
});

export async function recordApproval(db: SqlRunner, steward: Actor, subject: string, reason: string): Promise<Approval> {
  const [r] = await db.query(
    "INSERT INTO approvals (subject, kind, steward_sub, steward_role, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id, subject, kind, steward_sub, steward_role, reason, approved_at",
    [subject, kindOf(subject), steward.sub, steward.role, reason]);
  return toApproval(r);
}

export async function listApprovals(db: SqlRunner, subjects?: string[]): Promise<Approval[]> {
  const rows = subjects
    ? await db.query("SELECT * FROM approvals WHERE subject = ANY($1::text[]) ORDER BY id", [subjects])
    : await db.query("SELECT * FROM approvals ORDER BY id", []);
  return rows.map(toApproval);
}

/** Splits required approvals into those a steward has granted (the latest approval each) and those still pending. */
export async function resolveApprovals(db: SqlRunner, required: RequiredApproval[]): Promise<{ granted: GrantedApproval[]; pending: RequiredApproval[] }> {
  if (!required.length) return { granted: [], pending: [] };
  const found = new Map<string, Approval>();
  for (const a of await listApprovals(db, required.map((r) => r.subject))) found.set(a.subject, a);
  const granted: GrantedApproval[] = [];
  const pending: RequiredApproval[] = [];
  for (const r of required) {
    const a = found.get(r.subject);
    if (a) granted.push({ subject: r.subject, approvalId: a.id, steward: a.steward, reason: a.reason, at: a.at });
    else pending.push(r);
  }
  return { granted, pending };
}
