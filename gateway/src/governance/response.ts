/**
 * Post-processes a governed response: masks values, collects whose personal data was accessed and which
 * fields (for the access log: every personal field selected on a returned object, empty or not), removes what the gateway injected (`_cg_*` aliases), and puts null (with an
 * error) where fields were denied.
 *
 * The executed operation is compiled once per authorization plan into a tree of steps per concrete type
 * (response key, coordinate, mask, whether the field is personal, the child walkers), so walking a response
 * does no schema lookups or string building per object. Injected keys are removed by setting them to
 * undefined (JSON leaves them out) rather than with `delete`, which would make every object a slow
 * dictionary object.
 *
 * Every personal value must be attributable to its owners. One that is not (a schema without an @owner
 * where one is needed) is counted in `unattributed`, and the caller refuses the response (fail closed).
 */
import { getNamedType, isAbstractType, isObjectType, Kind, type GraphQLCompositeType, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { isPlainSelection, ownerReadableFromSelection, OWNER_ALIAS, RESERVED_PREFIX, TYPENAME_ALIAS } from "./authorize";
import type { Rules, SchemaGovernance } from "./requirements";

export interface AccessSummary {
  citizens: Set<string>;
  fields: Set<string>;
  /** Personal values whose owner could not be determined. */
  unattributed: number;
}

export type MaskFn = (kind: string | undefined, value: unknown) => unknown;

type Obj = Record<string, unknown>;

interface Step {
  key: string;
  /** Coordinate as authorized (the type the field was selected on), for masks. */
  coordinate: string;
  /** Present when the field is masked: the mask kind (undefined: withheld). */
  mask?: { kind: string | undefined };
  personal: boolean;
  child?: Node;
}

interface Walker {
  steps: Step[];
  /** Whether the type declares an owner (@owner): then each of its objects must name one. */
  owned: boolean;
  /** The owner field selected by the operation itself (its object carries the injected owner). */
  ownerKey?: string;
}

/** A selection set compiled for each concrete type it can hold. */
interface Node {
  /** The walker when the selection is on an object type. */
  only?: Walker;
  /** Walkers by __typename when it is on an interface or union. */
  byType?: Map<string, Walker>;
}

interface Selection {
  set: SelectionSetNode;
  /** The type the selection set is written on. */
  on: GraphQLCompositeType;
}

function applies(schema: GraphQLSchema, condition: string | undefined, concrete: GraphQLObjectType): boolean {
  if (!condition || condition === concrete.name) return true;
  const t = schema.getType(condition);
  return !!t && isAbstractType(t) && schema.isSubType(t, concrete);
}

function compileWalker(schema: GraphQLSchema, concrete: GraphQLObjectType, sets: Selection[], gov: SchemaGovernance, masked: Map<string, string | undefined>): Walker {
  const owner = gov.owners.get(concrete.name);
  const walker: Walker = { steps: [], owned: !!owner };
  const children = new Map<string, { type: GraphQLCompositeType; sets: Selection[] }>();
  const add = ({ set, on }: Selection) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (applies(schema, sel.typeCondition?.name.value, concrete)) {
          const t = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : on;
          add({ set: sel.selectionSet, on: t });
        }
        continue;
      }
      if (sel.kind !== Kind.FIELD) continue;
      const key = sel.alias?.value ?? sel.name.value;
      if (owner && sel.selectionSet && isPlainSelection(sel, owner.field) && ownerReadableFromSelection(schema, gov, concrete.name)) walker.ownerKey = owner.field;
      if (key.startsWith(RESERVED_PREFIX)) continue;
      const def = concrete.getFields()[sel.name.value];
      const named = def ? getNamedType(def.type) : undefined;
      // The same response key selected twice (e.g. in two fragments) merges its sub-selections.
      const existing = walker.steps.find((s) => s.key === key);
      if (sel.selectionSet && named && (isObjectType(named) || isAbstractType(named))) {
        const c = children.get(key) ?? { type: named, sets: [] };
        c.sets.push({ set: sel.selectionSet, on: named });
        children.set(key, c);
      }
      if (existing) continue;
      const coordinate = `${on.name}.${sel.name.value}`;
      const cls = rules(gov).get(coordinate)?.sensitivity?.class ?? rules(gov).get(`${concrete.name}.${sel.name.value}`)?.sensitivity?.class;
      const maskCoordinate = masked.has(coordinate) ? coordinate : masked.has(`${concrete.name}.${sel.name.value}`) ? `${concrete.name}.${sel.name.value}` : undefined;
      walker.steps.push({
        key,
        coordinate: `${concrete.name}.${sel.name.value}`,
        mask: maskCoordinate ? { kind: masked.get(maskCoordinate) } : undefined,
        personal: cls === "PERSONAL" || cls === "SENSITIVE",
      });
    }
  };
  for (const s of sets) add(s);
  for (const step of walker.steps) {
    const c = children.get(step.key);
    if (c) step.child = compileNode(schema, c.type, c.sets, gov, masked);
  }
  return walker;
}

const rules = (gov: SchemaGovernance): Rules => gov.rules;

function compileNode(schema: GraphQLSchema, type: GraphQLCompositeType, sets: Selection[], gov: SchemaGovernance, masked: Map<string, string | undefined>): Node {
  if (isObjectType(type)) return { only: compileWalker(schema, type, sets, gov, masked) };
  const byType = new Map<string, Walker>();
  for (const t of schema.getPossibleTypes(type)) byType.set(t.name, compileWalker(schema, t, sets, gov, masked));
  return { byType };
}

/** Compiled walkers by executed operation (one per cached authorization plan, so masks are fixed with it). */
const compiled = new WeakMap<OperationDefinitionNode, Node | null>();

/** Puts null where a denied field would be (its parent objects are in the response: see authorize's placeholders). */
export function setDenied(data: unknown, path: string[]): void {
  if (data === null || data === undefined) return;
  if (Array.isArray(data)) return data.forEach((d) => setDenied(d, path));
  const o = data as Obj;
  if (path.length === 1) {
    o[path[0]] = null;
    return;
  }
  setDenied(o[path[0]], path.slice(1));
}

/** The owners an injected or selected owner value names: an id, ids, or an object carrying its own owner. */
function ownersOf(v: unknown, depth = 0): string[] | undefined {
  if (typeof v === "string") return [v];
  if (depth > 5) return undefined;
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const o = ownersOf(x, depth + 1);
      if (!o) return undefined;
      out.push(...o);
    }
    return out;
  }
  if (v && typeof v === "object") return ownersOf((v as Obj)[OWNER_ALIAS], depth + 1);
  return undefined;
}

export function processResponse(schema: GraphQLSchema, op: OperationDefinitionNode, data: Obj | null | undefined, gov: SchemaGovernance, mask: MaskFn, masked: Map<string, string | undefined>): AccessSummary {
  const summary: AccessSummary = { citizens: new Set(), fields: new Set(), unattributed: 0 };
  let root = compiled.get(op);
  if (root === undefined) {
    const type = schema.getRootType(op.operation);
    root = type ? compileNode(schema, type, [{ set: op.selectionSet, on: type }], gov, masked) : null;
    compiled.set(op, root);
  }
  if (data && root) walk(root, data, undefined, false);
  return summary;

  /** `underPersonal`: the value is what a personal field returned, so each object's owner is recorded. */
  function walk(node: Node, value: unknown, owner: string[] | undefined, underPersonal: boolean): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(node, v, owner, underPersonal);
      return;
    }
    const obj = value as Obj;
    const w = node.only ?? node.byType?.get(obj[TYPENAME_ALIAS] as string);
    if (obj[TYPENAME_ALIAS] !== undefined) obj[TYPENAME_ALIAS] = undefined;
    let own = owner;
    if (w?.ownerKey) own = ownersOf(obj[w.ownerKey]) ?? own;
    if (obj[OWNER_ALIAS] !== undefined) {
      own = ownersOf(obj[OWNER_ALIAS]) ?? own;
      obj[OWNER_ALIAS] = undefined;
    }
    // e.g. Unit.currentResidents: which citizens live there is their personal data, whatever is selected of them.
    if (underPersonal && own) for (const c of own) summary.citizens.add(c);
    // An object of a type that declares an owner must name one (connections and edges around it need not).
    if (w?.owned && own === undefined) summary.unattributed++;
    if (!w) {
      // An object of a type the operation did not expect: nothing of it can be checked, so nothing is kept.
      for (const k of Object.keys(obj)) obj[k] = undefined;
      summary.unattributed++;
      return;
    }
    for (const s of w.steps) {
      const v = obj[s.key];
      if (v === undefined) continue; // not in the response (@skip/@include)
      // A personal field the caller asked for and was allowed is an access to this owner's data, whatever its
      // value: recording only non-empty values would tell a reader of the log who has, say, a disability
      // certificate.
      if (s.personal) {
        summary.fields.add(s.coordinate);
        if (own) for (const c of own) summary.citizens.add(c);
        else if (!s.child && v !== null) summary.unattributed++;
      }
      if (v === null) continue;
      if (s.mask) obj[s.key] = mask(s.mask.kind, v);
      if (s.child && obj[s.key] !== null) walk(s.child, obj[s.key], own, s.personal || underPersonal);
    }
  }
}
