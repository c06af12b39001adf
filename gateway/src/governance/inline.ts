/** Turns a document into its one selected operation with every fragment spread inlined. */
import { Kind, visit, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

export function inlineOperation(doc: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op) return null;
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const expand = (set: SelectionSetNode, seen: Set<string>): SelectionSetNode =>
    visit(set, {
      FragmentSpread(node) {
        const f = fragments.get(node.name.value);
        if (!f || seen.has(f.name.value)) return null;
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: f.typeCondition, directives: node.directives, selectionSet: expand(f.selectionSet, new Set([...seen, f.name.value])) };
      },
    });
  return { ...op, selectionSet: expand(op.selectionSet, new Set()) };
}
