// Service failures as GraphQL errors with `extensions.code`; anything unexpected is masked.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AuthError } from '../services/auth.js';
import { CatalogError } from '../services/torrent-catalog.js';
import { PublishError } from '../services/publish-torrent.js';
import { UserInputError } from '../services/users.js';
import { TorrentError } from '../torrent/parse-torrent.js';
import { MultipartError } from './multipart.js';

const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE', 'CONFLICT', 'INSUFFICIENT_STORAGE',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
]);

export function fail(code: string, message: string): never {
  throw new GraphQLError(message, { extensions: { code } });
}

/** Rethrows a known service error as a GraphQLError with its code; others as they are. */
export function rethrow(e: unknown): never {
  if (e instanceof GraphQLError) throw e;
  if (e instanceof AuthError || e instanceof CatalogError) fail(e.code, e.message);
  if (e instanceof PublishError) {
    fail({ BAD_INPUT: 'BAD_USER_INPUT', TOO_LARGE: 'PAYLOAD_TOO_LARGE', DUPLICATE: 'CONFLICT', STORAGE: 'INSUFFICIENT_STORAGE' }[e.code], e.message);
  }
  if (e instanceof MultipartError) fail(e.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT', e.message);
  if (e instanceof UserInputError) fail(e.code, e.message);
  if (e instanceof TorrentError) fail('BAD_USER_INPUT', e.message);
  throw e;
}

/** Apollo formatError: keeps known codes and their messages, masks the rest (logged). */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? '');
    if (PUBLIC_CODES.has(code)) return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    log.error({ err: original }, 'graphql resolver failed');
    return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
