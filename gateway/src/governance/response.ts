/**
 * Post-processes a governed response: puts null (with an error) where fields were denied, masks values,
 * collects whose personal data was returned and which fields (for the access log), and removes the ids
 * injected for that purpose.
 *
 * The operation is compiled once per authorization plan into a tree of steps (response key, coordinate,
 * mask, whether the field is personal, the child tree), so walking a response does no schema lookups or
 * string building per object. Injected ids are removed by setting them to undefined (JSON leaves them
 * out) rather than with `delete`, which would turn every response object into a slow dictionary object.
 */
import { getNamedType, isObjectType, Kind, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { ID_ALIAS, isOwnerSelection, OWNER_ALIAS, OWNER_FIELD, type Denied } from "./authorize";
import { maskValue } from "./mask";
import type { Policy } from "./policy";
import type { Rules } from "./requirements";

export interface AccessSummary {
  citizens: Set<string>;
  fields: Set<string>;
}

type Obj = Record<string, unknown>;

interface Step {
  key: string;
  coordinate: string;
  /** Present when the field is masked: the mask kind (undefined: withheld). */
  mask?: { kind: string | undefined };
  personal: boolean;
  child?: Walker;
}
/** The steps of one selection set on one object type, inline fragments on the same type merged in. */
interface Walker {
  steps: Step[];
  /** Whether objects here carry injected ids to read and remove. */
  injected: boolean;
  /** The owner field selected by the operation itself (its Citizen selection carries the injected id). */
  ownerKey?: string;
}

function compile(schema: GraphQLSchema, type: GraphQLObjectType, set: SelectionSetNode, rules: Rules, masked: Map<string, string | undefined>): Walker {
  const walker: Walker = { steps: [], injected: false };
  const ownerField = OWNER_FIELD[type.name];
  const add = (s: SelectionSetNode) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        if (t && isObjectType(t) && t.name === type.name) add(sel.selectionSet);
        continue;
      }
      if (sel.kind !== Kind.FIELD) continue;
      const key = sel.alias?.value ?? sel.name.value;
      if (ownerField && isOwnerSelection(sel, ownerField)) walker.ownerKey = ownerField;
      if (key === ID_ALIAS || key === OWNER_ALIAS) {
        walker.injected = true;
        continue;
      }
      const coordinate = `${type.name}.${sel.name.value}`;
      const cls = rules.get(coordinate)?.sensitivity?.class;
      const def = type.getFields()[sel.name.value];
      const named = def ? getNamedType(def.type) : undefined;
      walker.steps.push({
        key,
        coordinate,
        mask: masked.has(coordinate) ? { kind: masked.get(coordinate) } : undefined,
        personal: cls === "PERSONAL" || cls === "SENSITIVE",
        child: sel.selectionSet && named && isObjectType(named) ? compile(schema, named, sel.selectionSet, rules, masked) : undefined,
      });
    }
  };
  add(set);
  return walker;
}

/** Compiled walkers by executed operation (one per cached authorization plan, so masks are fixed with it). */
const compiled = new WeakMap<OperationDefinitionNode, Walker | null>();

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
  let walker = compiled.get(op);
  if (walker === undefined) {
    const root = schema.getRootType(op.operation);
    walker = root ? compile(schema, root, op.selectionSet, rules, masked) : null;
    compiled.set(op, walker);
  }
  if (data && walker) walk(walker, data, undefined, false);
  if (data) for (const d of denied) setDenied(data, d.path);
  return summary;

  /** `underPersonal`: the value is what a personal field returned, so each object's owner is recorded. */
  function walk(w: Walker, value: unknown, owner: string | undefined, underPersonal: boolean): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(w, v, owner, underPersonal);
      return;
    }
    const obj = value as Obj;
    let own = w.ownerKey ? (((obj[w.ownerKey] as Obj | null | undefined)?.[ID_ALIAS] as string | undefined) ?? owner) : owner;
    if (w.injected) {
      own = (obj[ID_ALIAS] as string | undefined) ?? ((obj[OWNER_ALIAS] as Obj | null | undefined)?.[ID_ALIAS] as string | undefined) ?? own;
      if (obj[ID_ALIAS] !== undefined) obj[ID_ALIAS] = undefined;
      if (obj[OWNER_ALIAS] !== undefined) obj[OWNER_ALIAS] = undefined;
    }
    // e.g. Unit.currentResidents: which citizens live there is their personal data, whatever is selected of them.
    if (underPersonal && own) summary.citizens.add(own);
    for (const s of w.steps) {
      if (s.mask) obj[s.key] = maskValue(policy, s.mask.kind, obj[s.key]);
      const v = obj[s.key];
      if (v === null || v === undefined) continue;
      if (s.personal && !(Array.isArray(v) && v.length === 0)) {
        summary.fields.add(s.coordinate);
        if (own) summary.citizens.add(own);
      }
      if (s.child) walk(s.child, v, own, s.personal);
    }
  }
}
