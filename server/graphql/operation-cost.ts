// The cost of one operation with its variables, in the units of cost-table.ts: each field its own
// cost, list fields times their page size. Each fragment is costed once per context (memoised), so
// the walk is linear in the document however often fragments are spread. Spreads and repeated
// fields are all counted (execution would merge some): an upper bound, never an under-estimate.
import {
  GraphQLIncludeDirective, GraphQLSkipDirective, Kind, SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef, getDirectiveValues, getNamedType,
  getNullableType, getOperationAST, getVariableValues, isInterfaceType, isListType, isObjectType, valueFromAST,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLNamedType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { DEFAULT_LIST_SIZE, INTROSPECTION_FIELD_COST, ROOT_FIELD_COST, fieldCost, introspectionLists, type PageSize } from './cost-table.js';

type Variables = Record<string, unknown>;

/** The page size `p` gives this field node: its argument (literal or variable) if the schema has it, clamped. */
function pageSize(p: PageSize, def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Variables): number {
  if (p.arg === undefined) return p.byDefault;
  const argDef = def.args.find((a) => a.name === p.arg);
  if (argDef === undefined) return p.max; // not paged (yet): it returns everything, up to its maximum
  const given = node.arguments?.find((a) => a.name.value === p.arg);
  const value = given === undefined ? argDef.defaultValue : valueFromAST(given.value, argDef.type, variables);
  if (typeof value !== 'number' || !Number.isFinite(value)) return p.byDefault;
  return Math.min(Math.max(value, 0), p.max);
}

function included(node: FieldNode | SelectionSetNode['selections'][number], variables: Variables): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/**
 * The cost of `operationName` in `document`, or null when there is nothing to cost (no such
 * operation, or variables that execution will refuse before any resolver runs).
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, inputs: Variables | undefined, operationName: string | undefined | null): number | null {
  const op = getOperationAST(document, operationName);
  if (op == null) return null;
  const root = schema.getRootType(op.operation);
  if (root === undefined || root === null) return null;
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], inputs ?? {}, { maxErrors: 1 });
  if (coerced.errors !== undefined) return null;
  const variables = coerced.coerced;
  const lists = introspectionLists(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null).map((t) => t.name));

  const fieldDef = (parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (parent === schema.getQueryType()) {
      if (name === '__schema') return SchemaMetaFieldDef;
      if (name === '__type') return TypeMetaFieldDef;
    }
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  };

  const fieldCostOf = (parent: GraphQLNamedType, node: FieldNode, page: number | undefined, enumerating: boolean): number => {
    const def = fieldDef(parent, node.name.value);
    if (def === undefined) return 0; // validation refuses unknown fields
    const key = `${parent.name}.${def.name}`;
    const entry = fieldCost(key);
    const self = entry?.self ?? (def.name.startsWith('__') || parent.name.startsWith('__') ? INTROSPECTION_FIELD_COST : rootTypes.has(parent.name) ? ROOT_FIELD_COST : 1);
    const intro = lists.get(key);
    let items = 1;
    let childEnumerating = false;
    if (intro !== undefined) {
      items = intro.items(enumerating);
      childEnumerating = intro.enumerates(enumerating);
    } else if (entry?.items === 'page') items = page ?? DEFAULT_LIST_SIZE;
    else if (entry?.items !== undefined) items = pageSize(entry.items, def, node, variables);
    else if (isListType(getNullableType(def.type))) items = DEFAULT_LIST_SIZE;
    if (node.selectionSet === undefined) return self * items;
    const childPage = entry?.page === undefined ? undefined : pageSize(entry.page, def, node, variables);
    return self + items * setCost(node.selectionSet, getNamedType(def.type), childPage, childEnumerating);
  };

  const setCost = (set: SelectionSetNode, parent: GraphQLNamedType, page: number | undefined, enumerating: boolean): number => {
    let sum = 0;
    for (const s of set.selections) {
      if (!included(s, variables)) continue;
      if (s.kind === Kind.FIELD) sum += fieldCostOf(parent, s, page, enumerating);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition === undefined ? parent : schema.getType(s.typeCondition.name.value);
        if (type !== undefined) sum += setCost(s.selectionSet, type, page, enumerating);
      } else sum += fragmentCost(s.name.value, page, enumerating);
    }
    return sum;
  };

  const fragmentCost = (name: string, page: number | undefined, enumerating: boolean): number => {
    const key = `${name}\0${page}\0${enumerating}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const f = fragments.get(name);
    if (f === undefined || visiting.has(key)) return 0; // unknown or cyclic: validation refuses both
    const type = schema.getType(f.typeCondition.name.value);
    if (type === undefined) return 0;
    visiting.add(key);
    const cost = setCost(f.selectionSet, type, page, enumerating);
    visiting.delete(key);
    memo.set(key, cost);
    return cost;
  };

  return setCost(op.selectionSet, root, undefined, false);
}
