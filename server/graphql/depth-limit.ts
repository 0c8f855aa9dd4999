// A validation rule that refuses operations nested deeper than a limit, with a separate limit for
// paths through introspection (__schema, __type), whose standard query nests type references deep.
// Each fragment's depths are computed once (memoised), so the walk is linear in the document size
// whatever spreads repeat.
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

/** Longest path (in fields) outside introspection, and longest through __schema or __type (0: none). */
interface Depth {
  plain: number;
  introspection: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** Refuses (GRAPHQL_VALIDATION_FAILED) operations deeper than `max`, or `maxIntrospection` through introspection. */
export function depthLimit(max: number, maxIntrospection: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const memo = new Map<string, Depth>();
    const none: Depth = { plain: 0, introspection: 0 };
    const fragmentDepth = (name: string, visiting: Set<string>): Depth => {
      const known = memo.get(name);
      if (known !== undefined) return known;
      const f = fragments.get(name);
      if (f === undefined || visiting.has(name)) return none; // unknown or cyclic: other rules report it
      visiting.add(name);
      const d = setDepth(f.selectionSet, visiting);
      visiting.delete(name);
      memo.set(name, d);
      return d;
    };
    const setDepth = (set: SelectionSetNode, visiting: Set<string>): Depth => {
      const d = { plain: 0, introspection: 0 };
      for (const s of set.selections) {
        let n: Depth;
        if (s.kind === Kind.FIELD) {
          const below = s.selectionSet ? setDepth(s.selectionSet, visiting) : none;
          n = INTROSPECTION_ROOTS.has(s.name.value)
            ? { plain: 0, introspection: 1 + Math.max(below.plain, below.introspection) }
            : { plain: 1 + below.plain, introspection: below.introspection === 0 ? 0 : 1 + below.introspection };
        } else n = s.kind === Kind.INLINE_FRAGMENT ? setDepth(s.selectionSet, visiting) : fragmentDepth(s.name.value, visiting);
        d.plain = Math.max(d.plain, n.plain);
        d.introspection = Math.max(d.introspection, n.introspection);
      }
      return d;
    };
    const refuse = (message: string, node: Parameters<ValidationContext['reportError']>[0]['nodes']): void =>
      context.reportError(new GraphQLError(message, { nodes: node, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    return {
      OperationDefinition(op) {
        const d = setDepth(op.selectionSet, new Set());
        if (d.plain > max) refuse(`query is nested ${d.plain} levels deep; the limit is ${max}`, [op]);
        if (d.introspection > maxIntrospection) refuse(`introspection is nested ${d.introspection} levels deep; the limit is ${maxIntrospection}`, [op]);
      },
    };
  };
}
