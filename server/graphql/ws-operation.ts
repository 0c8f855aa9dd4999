// One graphql-ws operation checked and answered as Apollo does over HTTP: parse with the token
// bound, validate with the same rules, check cost with the message's variables, and every error
// formatted by the shared formatter (same messages, same codes, unknown errors masked and logged).
import { getOperationAST, GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { formatError } from './errors.js';
import { checkCost, operationRules, PARSE_OPTIONS } from './operation-limits.js';

/** A graphql-ws `subscribe` payload. */
export interface WsPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

const withCode = (e: GraphQLError, code: string): GraphQLError =>
  new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: { ...e.extensions, code } });

/** The message graphql's execute gives when the document names no runnable operation. */
function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  const message = operationName ? `Unknown operation named "${operationName}".`
    : ops > 1 ? 'Must provide operation name if query contains multiple operations.' : 'Must provide an operation.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
}

/** The parsed document when the operation may run, else the errors to answer (with Apollo's codes). */
export function prepareOperation(schema: GraphQLSchema, payload: WsPayload): DocumentNode | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, PARSE_OPTIONS);
  } catch (e) {
    return [withCode(e instanceof GraphQLError ? e : new GraphQLError(String(e)), 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...operationRules()]);
  if (invalid.length > 0) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
  if (getOperationAST(document, payload.operationName) === null) return [unresolvedOperation(document, payload.operationName)];
  const costly = checkCost(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined);
  return costly === null ? document : [costly];
}

/** Apollo's test for a variable-coercion error, which it answers as BAD_USER_INPUT. */
function isBadVariable(e: GraphQLError): boolean {
  const node = e.nodes?.length === 1 ? e.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const v = `Variable "$${node.variable.name.value}" `;
  return ['has invalid value', 'got invalid value ', 'of required type ', 'of non-null type '].some((s) => e.message.startsWith(v + s));
}

/** Formats GraphQLErrors for graphql-ws exactly as Apollo's formatError does for HTTP. */
export function wsErrorFormatter(log: Logger): (e: GraphQLError) => GraphQLFormattedError {
  const format = formatError(log);
  return (e) => {
    const code = e.extensions?.code ?? (isBadVariable(e) ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR');
    return format({ ...e.toJSON(), extensions: { ...e.extensions, code } }, e);
  };
}

/** A result with its errors formatted, or undefined when it has none (sent as it is). */
export function formatResult(format: (e: GraphQLError) => GraphQLFormattedError, result: ExecutionResult): FormattedExecutionResult | undefined {
  if (result.errors === undefined) return undefined;
  return { ...result, errors: result.errors.map(format) };
}
