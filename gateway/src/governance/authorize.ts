/**
 * Authorizes an operation before any subgraph is called: every selected field is checked against the
 * requirements declared in the supergraph (scopes, policies) and the role → purpose → sensitivity policy.
 * Denied fields are removed from the document (they come back null with an error carrying their path);
 * masked fields are noted for the response; selections on citizen-owned types get the owner's id injected
 * so the access log knows whose data was returned.
 */
import { BREAK, Kind, TypeInfo, getNamedType, visit, visitWithTypeInfo, type DocumentNode, type FieldNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { Caller } from "../auth/identity";
import type { Decision, Policy, SensitivityClass } from "./policy";
import type { Rules } from "./requirements";

export interface Denied {
  path: string[];
  coordinate: string;
  reason: string;
}

export interface AuthorizedOperation {
  /** The operation to execute, or null when nothing is left to fetch. */
  document: DocumentNode | null;
  denied: Denied[];
  /** Masked fields and how (mask kind, or undefined to withhold). */
  masked: Map<string, string | undefined>;
}

/** Field holding the owner of a type's personal data (selected as `_cg_owner { _cg_id: id }`). */
export const OWNER_FIELD: Record<string, string> = { ElderProfile: "citizen", Residence: "citizen", HouseholdMember: "citizen", Finding: "citizen", Household: "head" };
/** Fields of a citizen whose objects belong to that same citizen (their owner is the parent). */
const OWNED_BY_PARENT = new Set(["Citizen.residences", "Citizen.elderProfile"]);
export const ID_ALIAS = "_cg_id";
export const OWNER_ALIAS = "_cg_owner";
/** Response keys starting with this are the gateway's own (injected ids); a client may not use them. */
export const RESERVED_PREFIX = "_cg_";

const field = (name: string, alias?: string, selectionSet?: SelectionSetNode): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  alias: alias ? { kind: Kind.NAME, value: alias } : undefined,
  selectionSet,
});
/**
 * Whether a selection is the owner field as the operation's own, always-present selection (unaliased, with
 * sub-selections, no @skip/@include): only then can the response walk read the owner from it.
 */
export function isOwnerSelection(sel: FieldNode, ownerField: string): boolean {
  return !sel.alias && sel.name.value === ownerField && !!sel.selectionSet && !sel.directives?.length;
}
const idSelection: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [field("id", ID_ALIAS)] };

/** The sensitivity classes an operation selects (to decide whether a purpose is needed). */
export function classesSelected(schema: GraphQLSchema, op: OperationDefinitionNode, rules: Rules): Set<SensitivityClass> {
  const out = new Set<SensitivityClass>();
  const info = new TypeInfo(schema);
  visit(op, visitWithTypeInfo(info, {
    Field() {
      const parent = info.getParentType();
      const f = info.getFieldDef();
      const cls = parent && f ? rules.get(`${parent.name}.${f.name}`)?.sensitivity?.class : undefined;
      if (cls) out.add(cls);
    },
  }));
  return out;
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

export function authorize(schema: GraphQLSchema, op: OperationDefinitionNode, rules: Rules, policy: Policy, caller: Caller, purpose: string | null): AuthorizedOperation {
  const decisions = purpose ? policy.roles[caller.role]?.purposes[purpose] : undefined;
  const decide = (cls: SensitivityClass): Decision => (cls === "PUBLIC" ? "allow" : decisions?.[cls] ?? (cls === "INTERNAL" ? "allow" : "deny"));
  const hasScopes = (groups: string[][]) => groups.some((all) => all.every((s) => caller.scopes.includes(s)));
  const hasPolicies = (groups: string[][]) => groups.some((all) => all.every((p) => (policy.policies[p] ?? []).includes(caller.role)));
  const denied: Denied[] = [];
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
        const rule = rules.get(coordinate);
        if (!rule) return undefined;
        let reason: string | null = null;
        if (rule.scopes && !hasScopes(rule.scopes)) reason = `requires scope ${rule.scopes.map((g) => g.join(" and ")).join(" or ")}`;
        else if (rule.policies && !hasPolicies(rule.policies)) reason = `requires policy ${rule.policies.map((g) => g.join(" and ")).join(" or ")}`;
        else if (rule.sensitivity) {
          const d = decide(rule.sensitivity.class);
          if (d === "deny") reason = `${rule.sensitivity.class} data is not available to role ${caller.role} for purpose ${purpose ?? "(none)"}`;
          else if (d === "mask") masked.set(coordinate, rule.sensitivity.mask);
        }
        if (reason) {
          denied.push({ path: [...path], coordinate, reason });
          path.pop();
          return null; // remove the field; leave() is not called for removed nodes
        }
        return undefined;
      },
      leave() {
        path.pop();
      },
    },
  }));

  // Drop selections left empty by removals, then inject owner ids for the access log. An owned object needs
  // no owner of its own when the operation already selects its owner field (that Citizen selection carries
  // the id) or when it is reached from its owner (Citizen.residences): the response walk takes the owner from there.
  const info2 = new TypeInfo(schema);
  const enclosing: string[] = [];
  const finished = visit(filtered, visitWithTypeInfo(info2, {
    Field: {
      enter(node) {
        const parent = info2.getParentType();
        enclosing.push(parent ? `${getNamedType(parent).name}.${node.name.value}` : "");
      },
      leave() {
        enclosing.pop();
      },
    },
    SelectionSet: {
      leave(node) {
        const type = info2.getParentType();
        const selections = node.selections.filter((s) => s.kind !== Kind.FIELD || !s.selectionSet || s.selectionSet.selections.length > 0);
        const name = type ? getNamedType(type).name : undefined;
        if (selections.length && name === "Citizen") selections.push(field("id", ID_ALIAS));
        if (selections.length && name && OWNER_FIELD[name]) {
          const fromOwner = OWNED_BY_PARENT.has(enclosing[enclosing.length - 1] ?? "");
          const ownerSelected = selections.some((s) => s.kind === Kind.FIELD && isOwnerSelection(s, OWNER_FIELD[name]));
          if (!fromOwner && !ownerSelected) selections.push(field(OWNER_FIELD[name], OWNER_ALIAS, idSelection));
        }
        return { ...node, selections };
      },
    },
  })) as OperationDefinitionNode;

  const empty = finished.selectionSet.selections.length === 0;
  return { document: empty ? null : { kind: Kind.DOCUMENT, definitions: [finished] }, denied, masked };
}
