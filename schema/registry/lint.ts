/**
 * Policy lint: the governance rules a change must keep.
 * - On the subgraph's SDL: descriptions present; naming conventions (types PascalCase, fields and arguments
 *   camelCase, enum values UPPER_CASE); contract tags that match the class (every SENSITIVE field, argument
 *   and input field tagged `sensitive`, every INTERNAL one `internal`; nothing personal tagged `public`).
 * - On the composed supergraph: personal data classified and attributable to an owner (./classification).
 * - On the change against the current supergraph: a new field of a type holding citizens' data declares its
 *   class; and what needs a steward's approval — a sensitivity downgrade, a field another department's
 *   subgraph resolves taken over, a field newly exposed in a contract.
 */
import {
  isInputObjectType, isInterfaceType, isObjectType, Kind, parse,
  type ConstDirectiveNode, type DocumentNode, type GraphQLSchema,
} from "graphql";
import { readGovernance } from "../../gateway/src/governance/requirements";
import { CLASSES } from "../../gateway/src/governance/policy";
import { classificationFindings, rank } from "./classification";
import { contractSchema, fieldCoordinates, type ContractFilter } from "./contracts";
import { downgradeSubject, exposureSubject, transferSubject } from "./approvals";
import type { LintIssue, RequiredApproval } from "./types";

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const UPPER = /^[A-Z][A-Z0-9_]*$/;

function directiveArg(ds: readonly ConstDirectiveNode[] | undefined, name: string, arg: string): string[] {
  const out: string[] = [];
  for (const d of ds ?? []) {
    if (d.name.value !== name) continue;
    const a = d.arguments?.find((x) => x.name.value === arg);
    if (a?.value.kind === Kind.STRING) out.push(a.value.value);
  }
  return out;
}

/** Lint of one subgraph's SDL text (errors). */
export function lintSubgraphSdl(subgraph: string, doc: DocumentNode): LintIssue[] {
  const issues: LintIssue[] = [];
  const add = (rule: string, message: string, type?: string, field?: string) => issues.push({ rule, message, subgraph, ...(type ? { type } : {}), ...(field ? { field } : {}) });
  const tagRule = (where: string, type: string, field: string, ds: readonly ConstDirectiveNode[] | undefined) => {
    const cls = directiveArg(ds, "sensitivity", "class")[0];
    const tags = directiveArg(ds, "tag", "name");
    if (cls === "SENSITIVE" && !tags.includes("sensitive")) add("contract-tags", `${where} is SENSITIVE but not tagged @tag(name: "sensitive"), so contracts would show it`, type, field);
    if (cls === "INTERNAL" && !tags.includes("internal")) add("contract-tags", `${where} is INTERNAL but not tagged @tag(name: "internal"), so contracts would show it`, type, field);
    if ((cls === "PERSONAL" || cls === "SENSITIVE") && tags.includes("public")) add("contract-tags", `${where} holds personal data (${cls}) and may not be tagged public`, type, field);
  };
  for (const def of doc.definitions) {
    if (!("name" in def) || !def.name || def.kind === Kind.DIRECTIVE_DEFINITION) continue;
    const type = def.name.value;
    const isTypeDef = def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.ENUM_TYPE_DEFINITION || def.kind === Kind.UNION_TYPE_DEFINITION || def.kind === Kind.SCALAR_TYPE_DEFINITION;
    if (!PASCAL.test(type)) add("naming", `type ${type} is not PascalCase`, type);
    if (isTypeDef && type !== "Query" && !("description" in def && def.description)) add("descriptions", `type ${type} has no description`, type);
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION || def.kind === Kind.INTERFACE_TYPE_EXTENSION) {
      for (const f of def.fields ?? []) {
        const field = f.name.value;
        if (!CAMEL.test(field)) add("naming", `field ${type}.${field} is not camelCase`, type, field);
        if (!f.description) add("descriptions", `field ${type}.${field} has no description`, type, field);
        tagRule(`${type}.${field}`, type, field, f.directives);
        for (const a of f.arguments ?? []) {
          if (!CAMEL.test(a.name.value)) add("naming", `argument ${type}.${field}(${a.name.value}:) is not camelCase`, type, field);
          tagRule(`${type}.${field}(${a.name.value}:)`, type, field, a.directives);
        }
      }
    }
    if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      for (const f of def.fields ?? []) {
        if (!CAMEL.test(f.name.value)) add("naming", `input field ${type}.${f.name.value} is not camelCase`, type, f.name.value);
        if (!f.description) add("descriptions", `input field ${type}.${f.name.value} has no description`, type, f.name.value);
        tagRule(`${type}.${f.name.value}`, type, f.name.value, f.directives);
      }
    }
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
      for (const v of def.values ?? []) {
        if (!UPPER.test(v.name.value)) add("naming", `enum value ${type}.${v.name.value} is not UPPER_CASE`, type, v.name.value);
        if (!v.description) add("descriptions", `enum value ${type}.${v.name.value} has no description`, type, v.name.value);
      }
    }
  }
  return issues;
}

/** Lint of the composed supergraph: personal data classified and owned (errors). */
export function lintSupergraph(supergraphSdl: string, api: GraphQLSchema): LintIssue[] {
  const f = classificationFindings(supergraphSdl, api);
  const split = (s: string) => {
    const [type, field] = s.split(/[ .:→]+/);
    return { type, ...(field ? { field } : {}) };
  };
  return [
    ...f.unclassifiedIdentifiers.map((s) => ({ rule: "personal-data-classified", message: `${s} identifies a person but has no sensitivity class`, ...split(s) })),
    ...f.weakSelections.map((s) => ({ rule: "personal-data-classified", message: `${s}: what is selected by a personal attribute must be at least that attribute's class`, ...split(s) })),
    ...f.unclassifiedArguments.map((s) => ({ rule: "personal-data-classified", message: `${s} is named like a classified field but has no sensitivity class`, ...split(s) })),
    ...f.unattributable.map((s) => ({ rule: "personal-data-owner", message: `${s} holds personal data but neither its type nor every way to reach it has an @owner`, ...split(s) })),
    ...f.badOwners.map((s) => ({ rule: "personal-data-owner", message: s, ...split(s) })),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// The change against the current supergraph

/** Which subgraphs resolve each `Type.field` of a supergraph (from its join directives). */
export function fieldOwners(supergraphSdl: string): Map<string, Set<string>> {
  const doc = parse(supergraphSdl);
  const graphs = new Map<string, string>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === "join__Graph") {
      for (const v of d.values ?? []) graphs.set(v.name.value, directiveArg(v.directives, "join__graph", "name")[0] ?? v.name.value);
    }
  }
  const enumArg = (d: ConstDirectiveNode, name: string) => {
    const a = d.arguments?.find((x) => x.name.value === name);
    return a?.value.kind === Kind.ENUM ? a.value.value : undefined;
  };
  const out = new Map<string, Set<string>>();
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeGraphs = (d.directives ?? []).filter((x) => x.name.value === "join__type").map((x) => enumArg(x, "graph")).filter((g): g is string => !!g);
    for (const f of d.fields ?? []) {
      const joins = (f.directives ?? []).filter((x) => x.name.value === "join__field");
      const resolving = joins.length
        ? joins.filter((j) => !j.arguments?.some((a) => (a.name.value === "external" || a.name.value === "usedOverridden") && a.value.kind === Kind.BOOLEAN && a.value.value)).map((j) => enumArg(j, "graph")).filter((g): g is string => !!g)
        : typeGraphs;
      out.set(`${d.name.value}.${f.name.value}`, new Set(resolving.map((g) => graphs.get(g) ?? g)));
    }
  }
  return out;
}

/** Field names in the subgraph's own @key selections, per type (shared keys are not a takeover). */
function keyFields(doc: DocumentNode): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of doc.definitions) {
    if (!("name" in d) || !d.name || !("directives" in d)) continue;
    for (const fields of directiveArg(d.directives as readonly ConstDirectiveNode[] | undefined, "key", "fields")) {
      const top = fields.replace(/\{[^{}]*\}/g, " ").split(/\s+/).filter(Boolean);
      if (!out.has(d.name.value)) out.set(d.name.value, new Set());
      for (const t of top) out.get(d.name.value)!.add(t);
    }
  }
  return out;
}

function exists(api: GraphQLSchema, coord: string): boolean {
  const m = /^(\w+)\.(\w+)(?:\((\w+):\))?$/.exec(coord);
  if (!m) return false;
  const t = api.getType(m[1]);
  if (isObjectType(t) || isInterfaceType(t)) {
    const f = t.getFields()[m[2]];
    return !!f && (!m[3] || f.args.some((a) => a.name === m[3]));
  }
  return isInputObjectType(t) && !!t.getFields()[m[2]];
}

export interface ChangeLintInput {
  subgraph: string;
  subgraphDoc: DocumentNode;
  before: { sdl: string; api: GraphQLSchema };
  after: { sdl: string; api: GraphQLSchema };
  contracts: ({ name: string } & ContractFilter)[];
}

export function lintChange(input: ChangeLintInput): { errors: LintIssue[]; warnings: LintIssue[]; approvals: RequiredApproval[] } {
  const { subgraph, before, after } = input;
  const errors: LintIssue[] = [];
  const warnings: LintIssue[] = [];
  const approvals: RequiredApproval[] = [];
  const oldGov = readGovernance(before.sdl);
  const newGov = readGovernance(after.sdl);

  // A new field of a type holding citizens' data declares its class (PUBLIC or INTERNAL if it is not personal).
  for (const t of Object.values(after.api.getTypeMap())) {
    if (!(isObjectType(t) || isInterfaceType(t)) || !newGov.owners.has(t.name)) continue;
    for (const f of Object.keys(t.getFields())) {
      const coord = `${t.name}.${f}`;
      if (!exists(before.api, coord) && !newGov.rules.get(coord)?.sensitivity) {
        errors.push({ rule: "personal-data-classified", message: `new field ${coord} of ${t.name}, which holds citizens' data (@owner), has no sensitivity class (declare PUBLIC or INTERNAL if it is not personal)`, subgraph, type: t.name, field: f });
      }
    }
  }

  // Sensitivity downgrades (fields, arguments, input fields) of what still exists.
  const classes = (g: ReturnType<typeof readGovernance>) => {
    const m = new Map<string, string>();
    for (const [c, r] of g.rules) if (r.sensitivity) m.set(c, r.sensitivity.class);
    for (const [c, cls] of g.inputs) m.set(c, cls);
    return m;
  };
  const oldClasses = classes(oldGov);
  const newClasses = classes(newGov);
  for (const [coord, was] of oldClasses) {
    if (!exists(after.api, coord)) continue;
    const now = newClasses.get(coord) ?? "NONE";
    if (now === "NONE" || rank(now as (typeof CLASSES)[number]) < rank(was as (typeof CLASSES)[number])) {
      approvals.push({ subject: downgradeSubject(coord, was, now), kind: "downgrade", message: `${coord}: sensitivity lowered from ${was} to ${now === "NONE" ? "no class" : now}` });
    }
  }

  // Fields another department's subgraph resolves, newly resolved by this one (not a shared key of its own).
  const oldOwners = fieldOwners(before.sdl);
  const newOwners = fieldOwners(after.sdl);
  const keys = keyFields(input.subgraphDoc);
  for (const [coord, owners] of newOwners) {
    if (!owners.has(subgraph)) continue;
    const was = oldOwners.get(coord);
    if (!was || was.size !== 1 || was.has(subgraph)) continue;
    const [type, field] = coord.split(".");
    if (keys.get(type)?.has(field)) continue;
    const from = [...was][0];
    approvals.push({ subject: transferSubject(coord, from, subgraph), kind: "transfer", message: `${coord} is owned by ${from}; ${subgraph} may resolve it only after a steward approves the transfer` });
  }

  // Fields newly visible in a contract.
  for (const c of input.contracts) {
    const was = fieldCoordinates(contractSchema(before.sdl, c).apiSchemaSdl);
    const now = fieldCoordinates(contractSchema(after.sdl, c).apiSchemaSdl);
    for (const coord of now) {
      if (was.has(coord)) continue;
      approvals.push({ subject: exposureSubject(c.name, coord), kind: "exposure", message: `${coord} becomes visible in the ${c.name} contract` });
    }
  }
  return { errors, warnings, approvals };
}

