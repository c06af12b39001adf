/**
 * Reads the access requirements every subgraph declared in its SDL, as composed into the supergraph:
 * @authenticated, @requiresScopes, @policy (Federation) and @sensitivity (ours), per `Type.field`.
 * Type-level requirements apply to every field of the type.
 */
import { parse, Kind, type ConstDirectiveNode, type ConstValueNode } from "graphql";
import type { SensitivityClass } from "./policy";

export interface FieldRule {
  scopes?: string[][];
  policies?: string[][];
  authenticated?: boolean;
  sensitivity?: { class: SensitivityClass; mask?: string };
}

export type Rules = Map<string, FieldRule>;

function value(v: ConstValueNode): unknown {
  switch (v.kind) {
    case Kind.LIST:
      return v.values.map(value);
    case Kind.STRING:
    case Kind.ENUM:
      return v.value;
    default:
      return null;
  }
}

function arg(d: ConstDirectiveNode, name: string): unknown {
  const a = d.arguments?.find((x) => x.name.value === name);
  return a ? value(a.value) : undefined;
}

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined): FieldRule {
  const r: FieldRule = {};
  for (const d of directives ?? []) {
    const n = d.name.value;
    if (n === "requiresScopes") r.scopes = arg(d, "scopes") as string[][];
    else if (n === "policy") r.policies = arg(d, "policies") as string[][];
    else if (n === "authenticated") r.authenticated = true;
    else if (n === "sensitivity") r.sensitivity = { class: arg(d, "class") as SensitivityClass, mask: arg(d, "mask") as string | undefined };
  }
  return r;
}

const merge = (a: FieldRule, b: FieldRule): FieldRule => ({
  scopes: a.scopes || b.scopes ? [...(a.scopes ?? []), ...(b.scopes ?? [])] : undefined,
  policies: a.policies || b.policies ? [...(a.policies ?? []), ...(b.policies ?? [])] : undefined,
  authenticated: a.authenticated || b.authenticated,
  sensitivity: b.sensitivity ?? a.sensitivity,
});

export function readRules(supergraphSdl: string): Rules {
  const rules: Rules = new Map();
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeRule = ruleOf(def.directives);
    for (const f of def.fields ?? []) {
      const r = merge(typeRule, ruleOf(f.directives));
      if (r.scopes || r.policies || r.authenticated || r.sensitivity) rules.set(`${def.name.value}.${f.name.value}`, r);
    }
  }
  return rules;
}
