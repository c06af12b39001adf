/**
 * Post-processes a governed response: puts null (with an error) where fields were denied, masks values,
 * collects whose personal data was returned and which fields (for the access log), and removes the ids
 * injected for that purpose.
 */
import { getNamedType, isObjectType, Kind, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { ID_ALIAS, OWNER_ALIAS, type Denied } from "./authorize";
import { maskValue } from "./mask";
import type { Policy } from "./policy";
import type { Rules } from "./requirements";

export interface AccessSummary {
  citizens: Set<string>;
  fields: Set<string>;
}

type Obj = Record<string, unknown>;

function setDenied(data: unknown, path: string[]): void {
  if (data === null || data === undefined) return;
  if (Array.isArray(data)) return data.forEach((d) => setDenied(d, path));
  const o = data as Obj;
  if (path.length === 1) {
    o[path[0]] = null;
    return;
  }
  setDenied(o[path[0]], path.slice(1));
}

export function processResponse(schema: GraphQLSchema, op: OperationDefinitionNode, data: Obj | null | undefined, rules: Rules, policy: Policy, masked: Map<string, string | undefined>, denied: Denied[]): AccessSummary {
  const summary: AccessSummary = { citizens: new Set(), fields: new Set() };
  const root = schema.getRootType(op.operation);
  if (data && root) walk(root, op.selectionSet, data, undefined);
  if (data) for (const d of denied) setDenied(data, d.path);
  return summary;

  function walk(type: GraphQLObjectType, set: SelectionSetNode, value: unknown, owner: string | undefined): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((v) => walk(type, set, v, owner));
    const obj = value as Obj;
    const own = (obj[ID_ALIAS] as string | undefined) ?? ((obj[OWNER_ALIAS] as Obj | null | undefined)?.[ID_ALIAS] as string | undefined) ?? owner;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        if (t && isObjectType(t) && t.name === type.name) walk(type, sel.selectionSet, obj, own);
        continue;
      }
      if (sel.kind !== Kind.FIELD) continue;
      const key = sel.alias?.value ?? sel.name.value;
      if (key === ID_ALIAS || key === OWNER_ALIAS) continue;
      const coordinate = `${type.name}.${sel.name.value}`;
      if (masked.has(coordinate)) obj[key] = maskValue(policy, masked.get(coordinate), obj[key]);
      const v = obj[key];
      const cls = rules.get(coordinate)?.sensitivity?.class;
      if ((cls === "PERSONAL" || cls === "SENSITIVE") && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) {
        summary.fields.add(coordinate);
        if (own) summary.citizens.add(own);
      }
      const def = type.getFields()[sel.name.value];
      const named = def ? getNamedType(def.type) : undefined;
      if (sel.selectionSet && named && isObjectType(named) && obj[key] !== null) walk(named, sel.selectionSet, obj[key], own);
    }
    delete obj[ID_ALIAS];
    delete obj[OWNER_ALIAS];
  }
}
