// What one GraphQL operation may ask, checked the same way on HTTP and WebSocket before anything
// runs: parse options (tokens), validation rules (depth, aliases, directives) and a cost check that
// sees the variables. Every check is linear in the document: fragments are counted once each.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { depthLimit } from './depth-limit.js';
import { operationCost } from './operation-cost.js';

/**
 * Tokens per document. The UI's largest document has about 60, the standard introspection query
 * 183; graphql's rule for overlapping fields is quadratic within its own budget, and 1,000 tokens
 * keep its worst case (hundreds of same-named fields) near 10 ms on this 2-core box.
 */
export const MAX_TOKENS = 1000;
/** Fields on the longest path outside introspection (the UI's deepest: 3). */
export const MAX_DEPTH = 12;
/** Fields on the longest path through __schema or __type (the standard introspection query: 15). */
export const MAX_INTROSPECTION_DEPTH = 20;
/** Aliases per operation, counted after fragment expansion (the UI and introspection use none). */
export const MAX_ALIASES = 20;
/** Directives per operation, counted after fragment expansion. */
export const MAX_DIRECTIVES = 20;
/**
 * Cost units per operation (cost-table.ts: one unit is a reply value of up to ~100 bytes), so an
 * accepted reply stays near 500 kB. The bound is CPU on the event loop the announces share: an
 * operation at 10,000 units (3 x 100 torrents with every field) took 15-20 ms, so the announce
 * probe's p99 under four clients looping it was 43-96 ms (bench:abuse `cost-ceiling-4x`); at 5,000
 * it is half that. The UI's dearest documents: one torrent with its first 500 files (FILES_PAGE)
 * 1,734, or 3,234 at the largest page of 1,000; 100 torrents 1,624; a swarm 1,615; the standard
 * introspection query 632.
 */
export const MAX_COST = 5_000;
/** extensions.code of a cost refusal. */
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/** Options for graphql's `parse` (token bound). */
export const PARSE_OPTIONS: ParseOptions = { maxTokens: MAX_TOKENS };

/** A graphql-armor refusal as a validation error (armor's own would be thrown, aborting as a 500). */
const report = (context: ValidationContext | null, error: GraphQLError): void =>
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));

/** Validation rules added to graphql's specified rules. */
export function operationRules(): ValidationRule[] {
  return [
    depthLimit(MAX_DEPTH, MAX_INTROSPECTION_DEPTH),
    maxAliasesRule({ n: MAX_ALIASES, propagateOnRejection: false, onReject: [report] }) as unknown as ValidationRule,
    maxDirectivesRule({ n: MAX_DIRECTIVES, propagateOnRejection: false, onReject: [report] }) as unknown as ValidationRule,
  ];
}

/** The cost error (QUERY_TOO_COMPLEX) of an operation with these variables, or null when within MAX_COST. */
export function checkCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): GraphQLError | null {
  const cost = operationCost(schema, document, variables, operationName);
  if (cost === null || cost <= MAX_COST) return null;
  const shown = Number.isFinite(cost) && cost < 1e15 ? String(Math.ceil(cost)) : 'more than 10^15';
  return new GraphQLError(`operation costs ${shown}; the limit is ${MAX_COST} (lists cost their page size: ask for fewer items or fields)`, {
    extensions: { code: QUERY_TOO_COMPLEX },
  });
}
