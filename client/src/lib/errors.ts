// Server errors in words people understand, chosen by GraphQL `extensions.code` (or the HTTP
// failure when no GraphQL reply came back).

export interface ServerErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

const FRIENDLY: Record<string, string> = {
  UNAUTHENTICATED: 'Please sign in to do that.',
  FORBIDDEN: 'Your account is not allowed to do that.',
  NOT_FOUND: 'That no longer exists — it may have been deleted.',
  PAYLOAD_TOO_LARGE: 'That is larger than this server accepts.',
  INSUFFICIENT_STORAGE: 'The server is out of disk space. Please tell its administrator.',
};

// Codes whose server message helps the person fix things: a lead-in, then the server's detail.
const WITH_DETAIL: Record<string, string> = {
  BAD_USER_INPUT: 'Please check what you entered',
  CONFLICT: 'That already exists',
  RATE_LIMITED: 'Too many attempts',
};

/** One sentence for an error: a friendly text for its code; input errors keep the server's detail. */
export function friendlyError(e: ServerErrorLike | null | undefined, network = false): string {
  if (network) return 'Cannot reach the server. Check your connection and try again.';
  if (!e) return 'Something went wrong. Please try again.';
  const code = typeof e.extensions?.code === 'string' ? e.extensions.code : '';
  if (FRIENDLY[code]) return FRIENDLY[code];
  if (WITH_DETAIL[code]) {
    const detail = e.message.replace(/^\[GraphQL\]\s*/, '').replace(/\.$/, '');
    return detail ? `${WITH_DETAIL[code]}: ${detail}.` : `${WITH_DETAIL[code]}.`;
  }
  return 'Something went wrong on the server. Please try again.';
}

/** The info_hash a CONFLICT ("torrent <hash> is already registered") names, else null. */
export function existingTorrent(e: ServerErrorLike | null | undefined): string | null {
  if (e?.extensions?.code !== 'CONFLICT') return null;
  return /\b([0-9a-f]{40})\b/.exec(e.message)?.[1] ?? null;
}
