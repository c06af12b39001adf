/**
 * Policy lint: the governance rules a change must keep.
 * - On the subgraph's SDL: descriptions present; naming conventions (types PascalCase, fields and arguments
 *   camelCase, enum values UPPER_CASE); contract tags that match the class (every SENSITIVE field, argument
 *   and input field tagged `sensitive`, every INTERNAL one `internal`; nothing personal tagged `public`).
 * - On the composed supergraph: personal data classified and attributable to an owner (./classification).
 *   A field computed with @requires is classified at least as high as every field its selection reaches.
 * - On the change against the current supergraph: a new field of a type holding citizens' data declares its
 *   class; and what needs a steward's approval — a sensitivity downgrade (a personal field "renamed" to a
 *   less protected one too), a field another department's subgraph resolves taken over (any @override; any
 *   newly resolved field that was not already a key in the current supergraph), a field newly exposed in a
 *   contract, another department's personal data reached by a new @requires/@provides, a mask kind that may
 *   show more, @requiresScopes/@policy/@authenticated removed or weakened.
 */
import {
  isInputObjectType, isInterfaceType, isObjectType, Kind, parse,
  type ConstDirectiveNode, type DocumentNode, type GraphQLSchema, type SelectionSetNode, type TypeNode,
} from "graphql";
import { readGovernance, type FieldRule } from "../../gateway/src/governance/requirements";
import { CLASSES, loadPolicy, maskOf, type Policy, type SensitivityClass } from "../../gateway/src/governance/policy";
import { classificationFindings, isPersonal, rank } from "./classification";
import { contractSchema, fieldCoordinates, type ContractFilter } from "./contracts";
import { join } from "node:path";
import { downgradeSubject, exposureSubject, maskSubject, providesSubject, requirementSubject, requiresSubject, transferSubject } from "./approvals";
import type { GovernanceChange, LintIssue, RequiredApproval } from "./types";

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

/** Top-level field names of a `fields:` selection ("id", "household { id }" → household). */
function topFields(fields: string): string[] {
  let flat = fields;
  for (let prev = ""; prev !== flat; ) [prev, flat] = [flat, flat.replace(/\{[^{}]*\}/g, " ")];
  return flat.split(/\s+/).filter(Boolean);
}

/** The join__Graph enum of a supergraph: enum value → subgraph name. */
function graphNames(doc: DocumentNode): Map<string, string> {
  const graphs = new Map<string, string>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === "join__Graph") {
      for (const v of d.values ?? []) graphs.set(v.name.value, directiveArg(v.directives, "join__graph", "name")[0] ?? v.name.value);
    }
  }
  return graphs;
}

/** Field names that are part of some subgraph's @key of each type in a supergraph (shared entity keys). */
export function supergraphKeyFields(supergraphSdl: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of parse(supergraphSdl).definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const fields of directiveArg(d.directives, "join__type", "key")) {
      if (!out.has(d.name.value)) out.set(d.name.value, new Set());
      for (const t of topFields(fields)) out.get(d.name.value)!.add(t);
    }
  }
  return out;
}

/** Fields the subgraph's SDL declares with @override(from: another subgraph): `Type.field` → from. */
function overrides(subgraph: string, doc: DocumentNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue;
    for (const f of d.fields ?? []) {
      for (const from of directiveArg(f.directives, "override", "from")) if (from !== subgraph) out.set(`${d.name.value}.${f.name.value}`, from);
    }
  }
  return out;
}

/** The higher of two classes (undefined: neither is classified). */
function strongest(a: SensitivityClass | undefined, b: SensitivityClass | undefined): SensitivityClass | undefined {
  return rank(a) >= rank(b) ? a : b;
}

let maskPolicy: Policy | undefined;
/** The mask kinds of schema/policy.yaml (how much of a value each shows). */
const masks = () => (maskPolicy ??= loadPolicy(join(__dirname, "../policy.yaml")));

/**
 * Whether mask kind `to` shows no more than `from`, as the gateway applies them: a kind listed in the policy
 * keeps `keepStart` and `keepEnd` characters (and the length unless it prints fixed `stars`); no kind, or one
 * the policy does not list, withholds the value today. A change passes without approval only to a listed kind
 * that keeps no more at either end and hides the length if the old one did. Removing the kind, or naming one
 * the policy does not list, needs approval even though it withholds today: the kind is the steward's record of
 * how much may show, and a later policy could list it.
 */
export function maskNoWeaker(from: string | undefined, to: string | undefined, policy: Pick<Policy, "masks"> = masks()): boolean {
  const b = maskOf(policy as Policy, to);
  if (!b) return false;
  const a = maskOf(policy as Policy, from) ?? { keepStart: 0, keepEnd: 0, stars: 4 };
  return b.keepStart <= a.keepStart && b.keepEnd <= a.keepEnd && (a.stars === undefined || b.stars !== undefined);
}

/** Whether requirement `now` (alternatives of scope or policy sets) lets in someone `was` did not. */
export function weakerRequirement(was: string[][] | undefined, now: string[][] | undefined): boolean {
  if (!was || !was.length) return false;
  if (!now || !now.length) return true;
  return now.some((n) => !was.some((o) => o.every((x) => n.includes(x))));
}

const show = (r: string[][] | undefined) => (r?.length ? r.map((a) => a.join("+")).join(" | ") : "none");

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

export function lintChange(input: ChangeLintInput): { errors: LintIssue[]; warnings: LintIssue[]; approvals: RequiredApproval[]; governance: GovernanceChange[] } {
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

  // A personal field removed while a less protected field is added to the same type: a rename that lowers the class.
  for (const t of Object.values(before.api.getTypeMap())) {
    if (!(isObjectType(t) || isInterfaceType(t)) || t.name.startsWith("__")) continue;
    const removed = Object.keys(t.getFields()).map((f) => `${t.name}.${f}`).filter((c) => !exists(after.api, c) && isPersonal(oldGov.rules.get(c)?.sensitivity?.class));
    if (!removed.length) continue;
    const nowType = after.api.getType(t.name);
    if (!(isObjectType(nowType) || isInterfaceType(nowType))) continue;
    const added = Object.keys(nowType.getFields()).map((f) => `${t.name}.${f}`).filter((c) => !exists(before.api, c));
    for (const r of removed) {
      const was = oldGov.rules.get(r)!.sensitivity!.class;
      for (const a of added) {
        const now = newGov.rules.get(a)?.sensitivity?.class;
        if (rank(now) >= rank(was)) continue;
        approvals.push({ subject: downgradeSubject(r, was, now ?? "NONE"), kind: "downgrade", message: `${r} (${was}) removed while ${a} (${now ?? "no class"}) is added to ${t.name}: a rename may not lower the class` });
        break;
      }
    }
  }

  // Governance arguments of fields that still exist: a mask kind that shows more, requirements removed or weakened.
  const governance: GovernanceChange[] = [];
  for (const [coord, was] of oldGov.rules) {
    if (!exists(after.api, coord)) continue;
    const now: FieldRule = newGov.rules.get(coord) ?? {};
    const note = (kind: GovernanceChange["kind"], from: string, to: string, weaker: boolean, subject: string, message: string) => {
      governance.push({ coordinate: coord, kind, before: from, after: to, weaker, ...(weaker ? { subject } : {}) });
      if (weaker) approvals.push({ subject, kind, message });
    };
    if (was.sensitivity && now.sensitivity && was.sensitivity.mask !== now.sensitivity.mask) {
      const from = was.sensitivity.mask ?? "NONE";
      const to = now.sensitivity.mask ?? "NONE";
      note("mask", from, to, !maskNoWeaker(was.sensitivity.mask, now.sensitivity.mask), maskSubject(coord, from, to), `${coord}: mask changed from ${from} to ${to}, which may show more`);
    }
    if (weakerRequirement(was.scopes, now.scopes)) note("scopes", show(was.scopes), show(now.scopes), true, requirementSubject("scopes", coord), `${coord}: @requiresScopes removed or weakened (${show(was.scopes)} → ${show(now.scopes)})`);
    else if (JSON.stringify(was.scopes) !== JSON.stringify(now.scopes)) note("scopes", show(was.scopes), show(now.scopes), false, "", "");
    if (weakerRequirement(was.policies, now.policies)) note("policy", show(was.policies), show(now.policies), true, requirementSubject("policy", coord), `${coord}: @policy removed or weakened (${show(was.policies)} → ${show(now.policies)})`);
    else if (JSON.stringify(was.policies) !== JSON.stringify(now.policies)) note("policy", show(was.policies), show(now.policies), false, "", "");
    if (was.authenticated && !now.authenticated) {
      note("authenticated", "true", "false", !now.scopes && !now.policies, requirementSubject("authenticated", coord), `${coord}: @authenticated removed`);
    }
  }

  // Fields another department's subgraph resolves, newly resolved by this one: a takeover unless the field
  // was already a key field of its type in the current supergraph (shared keys such as Citizen.id). Keys the
  // subgraph declares itself exempt nothing (adding idNumber to its own @key would take it over), and an
  // @override of another subgraph's field is always a transfer.
  const oldOwners = fieldOwners(before.sdl);
  const newOwners = fieldOwners(after.sdl);
  const baseKeys = supergraphKeyFields(before.sdl);
  const transfers = new Map<string, RequiredApproval>();
  const transfer = (coord: string, from: string, how: string) => {
    const subject = transferSubject(coord, from, subgraph);
    if (!transfers.has(subject)) transfers.set(subject, { subject, kind: "transfer", message: `${coord} is owned by ${from}; ${subgraph} may resolve it${how} only after a steward approves the transfer` });
  };
  for (const [coord, from] of overrides(subgraph, input.subgraphDoc)) transfer(coord, from, " (@override)");
  for (const [coord, owners] of newOwners) {
    if (!owners.has(subgraph)) continue;
    const was = oldOwners.get(coord);
    if (!was || was.size === 0 || was.has(subgraph)) continue;
    const [type, field] = coord.split(".");
    if (baseKeys.get(type)?.has(field)) continue;
    // A field several departments already resolve (@shareable) is not one department's, unless it is personal data.
    if (was.size > 1 && !isPersonal(strongest(oldGov.rules.get(coord)?.sensitivity?.class, newGov.rules.get(coord)?.sensitivity?.class))) continue;
    for (const from of [...was].sort()) transfer(coord, from, "");
  }
  approvals.push(...transfers.values());

  // Fields newly visible in a contract.
  for (const c of input.contracts) {
    const was = fieldCoordinates(contractSchema(before.sdl, c).apiSchemaSdl);
    const now = fieldCoordinates(contractSchema(after.sdl, c).apiSchemaSdl);
    for (const coord of now) {
      if (was.has(coord)) continue;
      approvals.push({ subject: exposureSubject(c.name, coord), kind: "exposure", message: `${coord} becomes visible in the ${c.name} contract` });
    }
  }
  approvals.push(...dataReachedApprovals(subgraph, before.sdl, after.sdl, oldGov, newGov));
  return { errors, warnings, approvals, governance };
}


// ---------------------------------------------------------------------------------------------------------
// Data a subgraph is sent or answers for through @requires and @provides

interface FieldSetUse {
  kind: "requires" | "provides";
  subgraph: string;
  /** The field declaring it. */
  coord: string;
  /** Every `Type.field` its field set reaches, nested selections included. */
  reached: string[];
}

/** Every @requires and @provides of a supergraph, with the fields its selection reaches. */
export function fieldSetUses(supergraphSdl: string): FieldSetUse[] {
  const doc = parse(supergraphSdl);
  const graphs = graphNames(doc);
  const fieldTypes = new Map<string, Map<string, string>>();
  const named = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : named(t.type));
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    fieldTypes.set(d.name.value, new Map((d.fields ?? []).map((f) => [f.name.value, named(f.type)])));
  }
  const reach = (fieldSet: string, start: string): string[] => {
    const out: string[] = [];
    let sel: DocumentNode;
    try {
      sel = parse(`{ ${fieldSet} }`, { noLocation: true, maxTokens: 2000 });
    } catch {
      return out;
    }
    const walk = (set: SelectionSetNode | undefined, type: string) => {
      for (const s of set?.selections ?? []) {
        if (s.kind === Kind.FIELD) {
          out.push(`${type}.${s.name.value}`);
          const next = fieldTypes.get(type)?.get(s.name.value);
          if (s.selectionSet && next) walk(s.selectionSet, next);
        } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, s.typeCondition?.name.value ?? type);
      }
    };
    const op = sel.definitions[0];
    if (op?.kind === Kind.OPERATION_DEFINITION) walk(op.selectionSet, start);
    return out;
  };
  const uses: FieldSetUse[] = [];
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const f of d.fields ?? []) {
      const coord = `${d.name.value}.${f.name.value}`;
      for (const j of (f.directives ?? []).filter((x) => x.name.value === "join__field")) {
        const g = j.arguments?.find((a) => a.name.value === "graph");
        const subgraph = g?.value.kind === Kind.ENUM ? graphs.get(g.value.value) ?? g.value.value : undefined;
        if (!subgraph) continue;
        for (const kind of ["requires", "provides"] as const) {
          const a = j.arguments?.find((x) => x.name.value === kind);
          if (a?.value.kind !== Kind.STRING) continue;
          uses.push({ kind, subgraph, coord, reached: reach(a.value.value, kind === "requires" ? d.name.value : named(f.type)) });
        }
      }
    }
  }
  return uses;
}

/**
 * Approvals for personal data of another department that the subgraph newly reaches through a field set:
 * with @requires the gateway sends it those fields' values, with @provides it answers them itself. A field
 * is personal if the current or the proposed supergraph classifies it PERSONAL or SENSITIVE.
 */
function dataReachedApprovals(subgraph: string, beforeSdl: string, afterSdl: string, oldGov: ReturnType<typeof readGovernance>, newGov: ReturnType<typeof readGovernance>): RequiredApproval[] {
  const had = new Set(fieldSetUses(beforeSdl).filter((u) => u.subgraph === subgraph).flatMap((u) => u.reached.map((r) => `${u.kind}|${u.coord}|${r}`)));
  const owners = fieldOwners(afterSdl);
  const out = new Map<string, RequiredApproval>();
  for (const u of fieldSetUses(afterSdl)) {
    if (u.subgraph !== subgraph) continue;
    for (const r of u.reached) {
      if (had.has(`${u.kind}|${u.coord}|${r}`)) continue;
      const cls = strongest(oldGov.rules.get(r)?.sensitivity?.class, newGov.rules.get(r)?.sensitivity?.class);
      const others = [...(owners.get(r) ?? [])].filter((o) => o !== subgraph);
      if (!isPersonal(cls) || !others.length) continue;
      const subject = u.kind === "requires" ? requiresSubject(u.coord, r) : providesSubject(u.coord, r);
      const message = u.kind === "requires"
        ? `${u.coord} is computed from ${r} (${cls}, resolved by ${others.join(", ")}): the gateway would send it to ${subgraph}`
        : `${u.coord} lets ${subgraph} answer ${r} (${cls}, resolved by ${others.join(", ")})`;
      out.set(subject, { subject, kind: u.kind, message });
    }
  }
  return [...out.values()];
}

/** Lint of the composed supergraph: a field computed from data (@requires) is classified at least as high as what it reads. */
export function lintComputedFields(supergraphSdl: string): LintIssue[] {
  const gov = readGovernance(supergraphSdl);
  const issues: LintIssue[] = [];
  for (const u of fieldSetUses(supergraphSdl)) {
    if (u.kind !== "requires") continue;
    const own = gov.rules.get(u.coord)?.sensitivity?.class;
    const top = u.reached.map((r) => ({ r, c: gov.rules.get(r)?.sensitivity?.class })).sort((a, b) => rank(b.c) - rank(a.c))[0];
    if (!top?.c || rank(top.c) <= Math.max(rank(own), 0)) continue;
    const [type, field] = u.coord.split(".");
    issues.push({ rule: "computed-field-class", message: `${u.coord} is computed (@requires) from ${top.r} (${top.c}) but is classified ${own ?? "not at all"}: it must be at least ${top.c}`, subgraph: u.subgraph, type, field });
  }
  return issues;
}
