/** Shapes shared by the registry's files: who acts, and the check report a change must pass. */
import type { RegistryErrorCode } from "../../gateway/src/errors";

/** Who is acting: a verified caller (gateway/src/auth/identity.ts) or the registry itself when seeding. */
export interface Actor {
  sub: string;
  role: string;
  /** Organisation; for a department officer, the department's name. */
  org: string;
}

export const SYSTEM_ACTOR: Actor = { sub: "registry-seed", role: "system", org: "citizen-graph" };

export interface CompositionIssue {
  message: string;
  code?: string;
  subgraphs: string[];
  type?: string;
  field?: string;
}

export interface SchemaChange {
  type: string;
  level: "BREAKING" | "DANGEROUS" | "SAFE";
  message: string;
  path?: string;
}

export interface AffectedOperation {
  /** Where the use was seen: a registered client operation, or traffic the gateway served in the window. */
  source: "registered" | "served";
  client: string;
  clientVersion: string;
  operation: string;
  operationId: string;
  field: string;
  change: string;
  count?: number;
}

export interface LintIssue {
  rule: string;
  message: string;
  subgraph?: string;
  type?: string;
  field?: string;
}

export interface RequiredApproval {
  subject: string;
  kind: "downgrade" | "transfer" | "exposure" | "requires" | "provides" | "mask" | "scopes" | "policy" | "authenticated";
  message: string;
}

/** A change of a field's governance arguments (mask kind, @requiresScopes, @policy, @authenticated); `subject` when it needs approval. */
export interface GovernanceChange {
  coordinate: string;
  kind: "mask" | "scopes" | "policy" | "authenticated";
  before: string;
  after: string;
  weaker: boolean;
  subject?: string;
}

export interface GrantedApproval {
  subject: string;
  approvalId: number;
  steward: string;
  reason: string;
  at: string;
}

export interface Refusal {
  code: RegistryErrorCode;
  message: string;
}

export interface CheckReport {
  subgraph: string;
  ok: boolean;
  /** The first refusal's code (composition, lint, breaking, approval — in that order). */
  code?: RegistryErrorCode;
  /** The supergraph version the change was checked against (null: the registry is empty). */
  baseVersion: number | null;
  composition: { ok: boolean; errors: CompositionIssue[] };
  changes: { breaking: SchemaChange[]; dangerous: SchemaChange[]; safe: SchemaChange[] };
  operations: { affected: AffectedOperation[]; windowDays: number };
  lint: { errors: LintIssue[]; warnings: LintIssue[] };
  approvals: { required: RequiredApproval[]; granted: GrantedApproval[] };
  /** Governance arguments changed on fields that still exist (absent in reports stored before it was added). */
  governance?: GovernanceChange[];
  warnings: string[];
  refusals: Refusal[];
}
