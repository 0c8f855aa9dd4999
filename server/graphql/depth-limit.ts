// A validation rule that refuses operations nested deeper than a limit (cheap protection against
// abusive queries; page sizes are capped in the resolvers).
import { GraphQLError, Kind, type ASTNode, type FragmentDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';

export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const depth = (node: ASTNode, seen: Set<string>): number => {
      if (node.kind === Kind.FIELD) return node.selectionSet ? 1 + Math.max(0, ...node.selectionSet.selections.map((s) => depth(s, seen))) : 1;
      if (node.kind === Kind.INLINE_FRAGMENT || node.kind === Kind.OPERATION_DEFINITION) return Math.max(0, ...node.selectionSet.selections.map((s) => depth(s, seen)));
      if (node.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(node.name.value);
        if (f === undefined || seen.has(f.name.value)) return 0;
        return Math.max(0, ...f.selectionSet.selections.map((s) => depth(s, new Set([...seen, f.name.value]))));
      }
      return 0;
    };
    return {
      OperationDefinition(op) {
        const d = depth(op, new Set());
        if (d > max) context.reportError(new GraphQLError(`query is nested ${d} levels deep; the limit is ${max}`, { nodes: [op] }));
      },
    };
  };
}
