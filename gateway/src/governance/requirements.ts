/**
 * Reads what every subgraph declared in its SDL about access, as composed into the supergraph:
 * @authenticated, @requiresScopes, @policy (Federation) and our @sensitivity and @owner, per `Type.field`.
 *
 * - Type-level requirements (on an object or interface type) apply to every field of the type; on a scalar
 *   or enum, to every field returning it. Requirements that meet on one field are all required (AND).
 * - A field of an interface requires what the interface declares and what every implementation of that
 *   field declares (a selection on the interface may return any of them), with the strictest sensitivity.
 * - @owner(field:, parents:) on a type names whose personal data its objects are (see ../../../schema/governance.graphql).
 */
import { parse, Kind, type ConstDirectiveNode, type ConstValueNode, type DefinitionNode, type FieldDefinitionNode, type InputValueDefinitionNode, type TypeNode } from "graphql";
import { CLASSES, type SensitivityClass } from "./policy";

export interface FieldRule {
  scopes?: string[][];
  policies?: string[][];
  authenticated?: boolean;
  sensitivity?: { class: SensitivityClass; mask?: string };
}

export type Rules = Map<string, FieldRule>;

export interface Ownership {
  /** Field of the type that names the owner: an object with an owner of its own (Citizen), or citizen ids. */
  field: string;
  /** `Type.field` coordinates through which the object is reached from its own owner. */
  parents: string[];
}

export interface SchemaGovernance {
  rules: Rules;
  /** Owner declarations by type name. */
  owners: Map<string, Ownership>;
  /** Sensitivity declared on arguments (`Type.field(arg:)`) and input fields (`Input.field`). */
  inputs: Map<string, SensitivityClass>;
}

function value(v: ConstValueNode): unknown {
  switch (v.kind) {
    case Kind.LIST:
      return v.values.map(value);
    case Kind.STRING:
    case Kind.ENUM:
      return v.value;
    case Kind.BOOLEAN:
      return v.value;
    default:
      return null;
  }
}

function arg(d: ConstDirectiveNode, name: string): unknown {
  const a = d.arguments?.find((x) => x.name.value === name);
  return a ? value(a.value) : undefined;
}

const rank = (c: SensitivityClass) => CLASSES.indexOf(c);

function sensitivityOf(d: ConstDirectiveNode): FieldRule["sensitivity"] {
  const cls = arg(d, "class");
  // An unknown class fails closed: treated as the most sensitive.
  const known = typeof cls === "string" && (CLASSES as readonly string[]).includes(cls) ? (cls as SensitivityClass) : "SENSITIVE";
  const mask = arg(d, "mask");
  return { class: known, ...(typeof mask === "string" ? { mask } : {}) };
}

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined): FieldRule {
  const r: FieldRule = {};
  for (const d of directives ?? []) {
    const n = d.name.value;
    if (n === "requiresScopes") r.scopes = arg(d, "scopes") as string[][];
    else if (n === "policy") r.policies = arg(d, "policies") as string[][];
    else if (n === "authenticated") r.authenticated = true;
    else if (n === "sensitivity") r.sensitivity = sensitivityOf(d);
  }
  return r;
}

/** Both requirement sets must hold: (a1 or a2) and (b1 or b2) = a1b1 or a1b2 or a2b1 or a2b2. */
function both(a: string[][] | undefined, b: string[][] | undefined): string[][] | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: string[][] = [];
  for (const x of a) for (const y of b) out.push([...new Set([...x, ...y])]);
  return out;
}

function stricter(a: FieldRule["sensitivity"], b: FieldRule["sensitivity"]): FieldRule["sensitivity"] {
  if (!a) return b;
  if (!b) return a;
  return rank(b.class) > rank(a.class) ? b : rank(a.class) > rank(b.class) ? a : { class: a.class, mask: a.mask === b.mask ? a.mask : undefined };
}

export function combine(a: FieldRule, b: FieldRule): FieldRule {
  const r: FieldRule = {};
  const scopes = both(a.scopes, b.scopes);
  const policies = both(a.policies, b.policies);
  const sensitivity = stricter(a.sensitivity, b.sensitivity);
  if (scopes) r.scopes = scopes;
  if (policies) r.policies = policies;
  if (a.authenticated || b.authenticated) r.authenticated = true;
  if (sensitivity) r.sensitivity = sensitivity;
  return r;
}

const isEmpty = (r: FieldRule) => !r.scopes && !r.policies && !r.authenticated && !r.sensitivity;

function namedType(t: TypeNode): string {
  return t.kind === Kind.NAMED_TYPE ? t.name.value : namedType(t.type);
}

type FieldsDef = Extract<DefinitionNode, { fields?: readonly FieldDefinitionNode[] | readonly InputValueDefinitionNode[] }>;

export function readGovernance(supergraphSdl: string): SchemaGovernance {
  const defs = parse(supergraphSdl).definitions;
  const typeRules = new Map<string, FieldRule>();
  const objects = new Map<string, { fields: FieldDefinitionNode[]; interfaces: string[]; kind: "object" | "interface" }>();
  const owners = new Map<string, Ownership>();
  const inputs = new Map<string, SensitivityClass>();

  for (const def of defs) {
    if (!("name" in def) || !def.name) continue;
    const name = def.name.value;
    const directives = "directives" in def ? (def.directives as readonly ConstDirectiveNode[] | undefined) : undefined;
    const own = ruleOf(directives);
    if (!isEmpty(own)) typeRules.set(name, combine(typeRules.get(name) ?? {}, own));
    const owner = directives?.find((d) => d.name.value === "owner");
    if (owner) owners.set(name, { field: String(arg(owner, "field")), parents: ((arg(owner, "parents") as string[] | undefined) ?? []).map(String) });
    const isObject = def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION;
    const isInterface = def.kind === Kind.INTERFACE_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_EXTENSION;
    if (isObject || isInterface) {
      const entry = objects.get(name) ?? { fields: [], interfaces: [], kind: isObject ? "object" : "interface" };
      entry.fields.push(...((def as FieldsDef).fields as readonly FieldDefinitionNode[] | undefined ?? []));
      entry.interfaces.push(...("interfaces" in def && def.interfaces ? def.interfaces.map((i) => i.name.value) : []));
      objects.set(name, entry);
      for (const f of entry.fields) {
        for (const a of f.arguments ?? []) {
          const s = ruleOf(a.directives).sensitivity;
          if (s) inputs.set(`${name}.${f.name.value}(${a.name.value}:)`, s.class);
        }
      }
    }
    if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
      for (const f of def.fields ?? []) {
        const s = ruleOf(f.directives).sensitivity;
        if (s) inputs.set(`${name}.${f.name.value}`, s.class);
      }
    }
  }

  // Own rules of object and interface fields: the type's rule, the field's, and the returned scalar's or enum's.
  const own = new Map<string, FieldRule>();
  for (const [type, o] of objects) {
    for (const f of o.fields) {
      let r = combine(typeRules.get(type) ?? {}, ruleOf(f.directives));
      const returned = typeRules.get(namedType(f.type));
      if (returned && !objects.has(namedType(f.type))) r = combine(r, returned);
      own.set(`${type}.${f.name.value}`, combine(own.get(`${type}.${f.name.value}`) ?? {}, r));
    }
  }
  const rules: Rules = new Map();
  for (const [coord, r] of own) if (!isEmpty(r)) rules.set(coord, r);
  // Interface fields also require what each implementation of the field requires.
  for (const [type, o] of objects) {
    if (o.kind !== "object") continue;
    for (const iface of o.interfaces) {
      for (const f of objects.get(iface)?.fields ?? []) {
        const impl = own.get(`${type}.${f.name.value}`);
        if (!impl || isEmpty(impl)) continue;
        const coord = `${iface}.${f.name.value}`;
        rules.set(coord, combine(rules.get(coord) ?? {}, impl));
      }
    }
  }
  return { rules, owners, inputs };
}

/** The field rules alone (what most callers need). */
export function readRules(supergraphSdl: string): Rules {
  return readGovernance(supergraphSdl).rules;
}
