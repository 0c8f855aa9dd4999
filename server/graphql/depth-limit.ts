// A validation rule that refuses operations nested deeper than a limit. Each fragment's depth is
// computed once (memoised), so the walk is linear in the document size whatever spreads repeat.
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const memo = new Map<string, number>();
    const fragmentDepth = (name: string, visiting: Set<string>): number => {
      const known = memo.get(name);
      if (known !== undefined) return known;
      const f = fragments.get(name);
      if (f === undefined || visiting.has(name)) return 0; // unknown or cyclic: other rules report it
      visiting.add(name);
      const d = setDepth(f.selectionSet, visiting);
      visiting.delete(name);
      memo.set(name, d);
      return d;
    };
    const setDepth = (set: SelectionSetNode, visiting: Set<string>): number => {
      let d = 0;
      for (const s of set.selections) {
        const n = s.kind === Kind.FIELD ? (s.selectionSet ? 1 + setDepth(s.selectionSet, visiting) : 1)
          : s.kind === Kind.INLINE_FRAGMENT ? setDepth(s.selectionSet, visiting)
          : fragmentDepth(s.name.value, visiting);
        if (n > d) d = n;
      }
      return d;
    };
    return {
      OperationDefinition(op) {
        const d = setDepth(op.selectionSet, new Set());
        if (d > max) context.reportError(new GraphQLError(`query is nested ${d} levels deep; the limit is ${max}`, { nodes: [op] }));
      },
    };
  };
}
