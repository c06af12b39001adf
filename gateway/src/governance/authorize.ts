/**
 * Authorizes an operation before any subgraph is called: every selected field is checked against the
 * requirements declared in the supergraph (@authenticated, scopes, policies) and the role → purpose →
 * sensitivity policy, with mask completions (a field that would complete a masked value is not shown in
 * full either). Denied fields are removed from the document (they come back null with an error carrying
 * their path); masked fields are noted for the response walk.
 *
 * The executed document then gets what the response walk needs, under aliases in the reserved `_cg_`
 * namespace that never reach the client: the owner of every object whose type declares one (@owner), so
 * the access log knows whose data was returned; `__typename` where a selection is on an interface or union;
 * and `__typename` in a selection left empty by removals, so its parent still comes back as an object.
 */
import { BREAK, getNamedType, isAbstractType, isInputObjectType, isObjectType, isScalarType, Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FieldNode, type GraphQLInputType, type GraphQLNamedType, type GraphQLOutputType, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { Caller } from "../auth/identity";
import { decisionsFor, policyRoles, type Decision, type Policy, type SensitivityClass } from "./policy";
import type { FieldRule, SchemaGovernance } from "./requirements";

export interface Denied {
  path: string[];
  coordinate: string;
  reason: string;
}

export interface AuthorizedOperation {
  /** The operation to execute (one operation, fragments inlined), or null when nothing is left to fetch. */
  document: DocumentNode | null;
  denied: Denied[];
  /** Masked fields and how (their mask kind). */
  masked: Map<string, string | undefined>;
  /**
   * Response paths of fields the caller sees masked but that cannot be partly shown (objects not fully
   * classified, numbers, enums, lists): removed from the executed operation — never run, so nothing they
   * would do (an error, a timing) can tell anything — and null in the response, without an error.
   */
  withheld: string[][];
}

/** Response keys starting with this are the gateway's own; a client may not use them. */
export const RESERVED_PREFIX = "_cg_";
/** The owner of an object (an id, a list of ids, or an object carrying its own `_cg_owner`). */
export const OWNER_ALIAS = "_cg_owner";
/** `__typename`, where the walk must know an object's concrete type or a selection would be empty. */
export const TYPENAME_ALIAS = "_cg_t";

const ORDER: Decision[] = ["allow", "mask", "deny"];
const stricter = (a: Decision, b: Decision): Decision => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

const field = (name: string, alias?: string, selectionSet?: SelectionSetNode): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  alias: alias ? { kind: Kind.NAME, value: alias } : undefined,
  selectionSet,
});
const typenameField = field("__typename", TYPENAME_ALIAS);

/** Whether a selection is the given field as the operation's own, always-present, unaliased selection. */
export function isPlainSelection(sel: SelectionNode, name: string): sel is FieldNode {
  return sel.kind === Kind.FIELD && !sel.alias && sel.name.value === name && !sel.directives?.length;
}

/**
 * Whether a type's owner can be read from the operation's own selection of its owner field: the field returns
 * an object whose owner is a plain id (Citizen), so that object carries the injected `_cg_owner` itself.
 */
export function ownerReadableFromSelection(schema: GraphQLSchema, gov: SchemaGovernance, typeName: string): boolean {
  const o = gov.owners.get(typeName);
  const type = schema.getType(typeName);
  if (!o || !type || !isObjectType(type)) return false;
  const target = type.getFields()[o.field] ? getNamedType(type.getFields()[o.field].type) : undefined;
  const inner = target && isObjectType(target) ? gov.owners.get(target.name) : undefined;
  const innerField = inner && target && isObjectType(target) ? target.getFields()[inner.field] : undefined;
  return !!innerField && !isObjectType(getNamedType(innerField.type));
}

/** The sensitivity classes an operation selects (to decide whether a purpose is needed). */
export function classesSelected(schema: GraphQLSchema, op: OperationDefinitionNode, gov: SchemaGovernance): Set<SensitivityClass> {
  const out = new Set<SensitivityClass>();
  const info = new TypeInfo(schema);
  visit(op, visitWithTypeInfo(info, {
    Field(node) {
      const parent = info.getParentType();
      const f = info.getFieldDef();
      const cls = parent && f ? gov.rules.get(`${parent.name}.${f.name}`)?.sensitivity?.class : undefined;
      if (cls) out.add(cls);
      const byArgs = parent && f ? argumentClass(schema, gov, `${parent.name}.${f.name}`, f.args, node) : undefined;
      if (byArgs) out.add(byArgs);
    },
  }));
  return out;
}

const RANK: SensitivityClass[] = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"];
const higher = (a: SensitivityClass | undefined, b: SensitivityClass | undefined) => (!a ? b : !b ? a : RANK.indexOf(a) >= RANK.indexOf(b) ? a : b);

/** The highest class of the input fields an input type can carry (a variable may set any of them). */
function inputTypeClass(schema: GraphQLSchema, gov: SchemaGovernance, typeName: string, seen = new Set<string>()): SensitivityClass | undefined {
  const t = schema.getType(typeName);
  if (!t || !isInputObjectType(t) || seen.has(typeName)) return undefined;
  seen.add(typeName);
  let max: SensitivityClass | undefined;
  for (const f of Object.values(t.getFields())) max = higher(higher(max, gov.inputs.get(`${typeName}.${f.name}`)), inputTypeClass(schema, gov, getNamedType(f.type).name, seen));
  return max;
}

/** The class of the input fields a literal object sets (and of the inputs its variables may set). */
function literalClass(schema: GraphQLSchema, gov: SchemaGovernance, typeName: string, value: ValueNode): SensitivityClass | undefined {
  if (value.kind === Kind.VARIABLE) return inputTypeClass(schema, gov, typeName);
  if (value.kind === Kind.LIST) return value.values.reduce<SensitivityClass | undefined>((m, v) => higher(m, literalClass(schema, gov, typeName, v)), undefined);
  if (value.kind !== Kind.OBJECT) return undefined;
  const t = schema.getType(typeName);
  if (!t || !isInputObjectType(t)) return undefined;
  let max: SensitivityClass | undefined;
  for (const f of value.fields) {
    const def = t.getFields()[f.name.value];
    if (!def || f.value.kind === Kind.NULL) continue;
    max = higher(higher(max, gov.inputs.get(`${typeName}.${f.name.value}`)), literalClass(schema, gov, getNamedType(def.type).name, f.value));
  }
  return max;
}

/**
 * The class of what a field selects by: the classified arguments it is given (and, inside input objects,
 * the classified input fields set, or that a variable may set). Selecting people by an attribute discloses
 * the attribute, so a field is at most as visible as the highest of these.
 */
export function argumentClass(schema: GraphQLSchema, gov: SchemaGovernance, coordinate: string, args: readonly { name: string; type: GraphQLInputType }[], node: FieldNode): SensitivityClass | undefined {
  let max: SensitivityClass | undefined;
  for (const a of node.arguments ?? []) {
    if (a.value.kind === Kind.NULL) continue;
    const def = args.find((d) => d.name === a.name.value);
    if (!def) continue;
    max = higher(higher(max, gov.inputs.get(`${coordinate}(${a.name.value}:)`)), literalClass(schema, gov, getNamedType(def.type).name, a.value));
  }
  return max;
}

/** The first alias in an operation (fragments inlined) that uses the gateway's reserved prefix, if any. */
export function reservedAlias(op: OperationDefinitionNode): string | undefined {
  let found: string | undefined;
  visit(op, {
    Field(node) {
      if (node.alias?.value.startsWith(RESERVED_PREFIX)) {
        found = node.alias.value;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Decides, for one caller and purpose, what each field coordinate yields (with the reason when denied). */
export function createDecider(gov: SchemaGovernance, policy: Policy, caller: Caller | null, purpose: string | null) {
  const decisions = caller ? decisionsFor(policy, caller.role, purpose) : undefined;
  const classDecision = (cls: SensitivityClass): Decision => (cls === "PUBLIC" ? "allow" : decisions?.[cls] ?? (cls === "INTERNAL" && caller ? "allow" : "deny"));
  const hasScopes = (groups: string[][]) => !!caller && groups.some((all) => all.every((s) => caller.scopes.includes(s)));
  const hasPolicies = (groups: string[][]) => !!caller && groups.some((all) => all.every((p) => policyRoles(policy, p).includes(caller.role)));
  // Fields that complete a masked value: target → the fields whose mask they would complete.
  const completes = new Map<string, string[]>();
  for (const [masked, targets] of Object.entries(policy.completions)) for (const t of targets) completes.set(t, [...(completes.get(t) ?? []), masked]);

  function own(rule: FieldRule | undefined): { decision: Decision; reason?: string } {
    if (!rule) return { decision: "allow" };
    if (rule.authenticated && !caller) return { decision: "deny", reason: "requires an authenticated caller" };
    if (rule.scopes && !hasScopes(rule.scopes)) return { decision: "deny", reason: `requires scope ${rule.scopes.map((g) => g.join(" and ")).join(" or ")}` };
    if (rule.policies && !hasPolicies(rule.policies)) return { decision: "deny", reason: `requires policy ${rule.policies.map((g) => g.join(" and ")).join(" or ")}` };
    if (!rule.sensitivity) return { decision: caller ? "allow" : "deny", reason: caller ? undefined : "requires an authenticated caller" };
    const d = classDecision(rule.sensitivity.class);
    return { decision: d, reason: d === "deny" ? `${rule.sensitivity.class} data is not available to role ${caller?.role ?? "(anonymous)"} for purpose ${purpose ?? "(none)"}` : undefined };
  }

  const cache = new Map<string, { decision: Decision; reason?: string }>();
  const decide = function decide(coordinate: string): { decision: Decision; reason?: string } {
    let d = cache.get(coordinate);
    if (d) return d;
    d = own(gov.rules.get(coordinate));
    // A mask may not hide only what another field shows: when this field would complete a value the caller
    // sees masked, it is not shown in full either.
    if (d.decision === "allow" && completes.get(coordinate)?.some((m) => own(gov.rules.get(m)).decision === "mask")) d = { decision: "mask" };
    cache.set(coordinate, d);
    return d;
  };
  return Object.assign(decide, { classDecision });
}

/**
 * Whether every field of a type carries its own class (its owner field aside): a masked object of such a type
 * can be returned, each of its fields deciding for itself; any other masked object is withheld whole, since
 * its unclassified fields rely on the object's own class.
 */
export function fullyClassified(schema: GraphQLSchema, gov: SchemaGovernance, type: GraphQLNamedType): boolean {
  if (isAbstractType(type)) return schema.getPossibleTypes(type).every((t) => fullyClassified(schema, gov, t));
  if (!isObjectType(type)) return false;
  const owner = gov.owners.get(type.name)?.field;
  return Object.values(type.getFields()).every((f) => f.name === owner || !!gov.rules.get(`${type.name}.${f.name}`)?.sensitivity);
}

/** Whether a masked value of this field can be partly shown: a string (or strings) with a mask kind. */
function maskable(def: { type: GraphQLOutputType }, kind: string | undefined): boolean {
  const named = getNamedType(def.type);
  return !!kind && isScalarType(named) && (named.name === "String" || named.name === "ID");
}

export function authorize(schema: GraphQLSchema, op: OperationDefinitionNode, gov: SchemaGovernance, policy: Policy, caller: Caller | null, purpose: string | null): AuthorizedOperation {
  const decide = createDecider(gov, policy, caller, purpose);
  const denied: Denied[] = [];
  const withheld: string[][] = [];
  const masked = new Map<string, string | undefined>();
  const path: string[] = [];
  const info = new TypeInfo(schema);

  const filtered = visit(op, visitWithTypeInfo(info, {
    Field: {
      enter(node) {
        path.push(node.alias?.value ?? node.name.value);
        const parent = info.getParentType();
        const def = info.getFieldDef();
        if (!parent || !def) return undefined;
        const coordinate = `${parent.name}.${def.name}`;
        let { decision, reason } = decide(coordinate);
        const byArgs = argumentClass(schema, gov, coordinate, def.args, node);
        // Selecting by an attribute the caller may not read in full would disclose it.
        if (decision !== "deny" && byArgs && decide.classDecision(byArgs) !== "allow") {
          decision = "deny";
          reason = `selects by ${byArgs} data, which role ${caller?.role ?? "(anonymous)"} may not read in full for purpose ${purpose ?? "(none)"}`;
        }
        if (decision === "deny") {
          denied.push({ path: [...path], coordinate, reason: reason ?? "not allowed" });
          path.pop();
          return null; // remove the field; leave() is not called for removed nodes
        }
        if (decision === "mask") {
          const kind = gov.rules.get(coordinate)?.sensitivity?.mask;
          const named = getNamedType(def.type);
          if (isObjectType(named) || isAbstractType(named) ? !fullyClassified(schema, gov, named) : !maskable(def, kind)) {
            withheld.push([...path]);
            path.pop();
            return null;
          }
          if (!isObjectType(named) && !isAbstractType(named)) masked.set(coordinate, kind);
        }
        return undefined;
      },
      leave() {
        path.pop();
      },
    },
  })) as OperationDefinitionNode;

  const finished = inject(schema, filtered, gov);
  const empty = finished.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.alias?.value === TYPENAME_ALIAS);
  return { document: empty ? null : { kind: Kind.DOCUMENT, definitions: [finished] }, denied, masked, withheld };
}

/** Adds owner ids and `__typename` where the response walk needs them (see the file comment). */
function inject(schema: GraphQLSchema, op: OperationDefinitionNode, gov: SchemaGovernance): OperationDefinitionNode {
  const info = new TypeInfo(schema);
  const enclosing: string[] = [];
  const ownerSelection = (type: GraphQLNamedType | undefined, depth = 0): SelectionSetNode | undefined => {
    const o = type ? gov.owners.get(type.name) : undefined;
    if (!type || !o || !isObjectType(type) || depth > 4) return undefined;
    const f = type.getFields()[o.field];
    if (!f) return undefined;
    const target = getNamedType(f.type);
    const child = isObjectType(target) ? ownerSelection(target, depth + 1) : undefined;
    if (isObjectType(target) && !child) return undefined;
    return { kind: Kind.SELECTION_SET, selections: [field(o.field, OWNER_ALIAS, child)] };
  };
  return visit(op, visitWithTypeInfo(info, {
    Field: {
      enter(node) {
        const parent = info.getParentType();
        enclosing.push(parent ? `${parent.name}.${node.name.value}` : "");
      },
      leave() {
        enclosing.pop();
      },
    },
    SelectionSet: {
      leave(node) {
        const type = info.getParentType() ?? undefined;
        const selections = [...node.selections];
        if (type && isAbstractType(type)) {
          // The walk picks the concrete type by __typename; each possible type that has an owner gets it.
          selections.push(typenameField);
          for (const possible of schema.getPossibleTypes(type)) {
            const injected = ownerSelection(possible);
            if (injected) selections.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: possible.name } }, selectionSet: injected });
          }
          return { ...node, selections };
        }
        if (selections.length === 0) selections.push(typenameField);
        const o = type ? gov.owners.get(type.name) : undefined;
        if (o && type) {
          const reachedFromOwner = o.parents.includes(enclosing[enclosing.length - 1] ?? "");
          const ownerObjectSelected = ownerReadableFromSelection(schema, gov, type.name) && selections.some((s) => isPlainSelection(s, o.field) && !!s.selectionSet);
          const injected = ownerSelection(type);
          if (!reachedFromOwner && !ownerObjectSelected && injected) selections.push(...injected.selections);
        }
        return { ...node, selections };
      },
    },
  })) as OperationDefinitionNode;
}
