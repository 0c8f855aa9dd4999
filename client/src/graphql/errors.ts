// Turns an urql CombinedError into one friendly sentence (see lib/errors.ts).
import type { CombinedError } from '@urql/core';
import { friendlyError } from '../lib/errors';

/** A sentence for the error, or null when there is none. */
export function errorText(e: CombinedError | null | undefined): string | null {
  if (!e) return null;
  if (e.networkError && e.graphQLErrors.length === 0) return friendlyError(null, true);
  return friendlyError(e.graphQLErrors[0] ?? { message: e.message });
}
