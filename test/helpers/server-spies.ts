// Spies on a running test server's parts, for e2e tests that check where bytes and peers came from.
import type { PeerAnnounce } from '../../server/tracker/peer-store.js';
import type { TestServer } from './test-server.js';

/**
 * Counts the bytes the webseed route reads from the file store (it reads every byte it sends
 * through `readAt`), per info_hash, into the returned map.
 */
export function countServedBytes(ts: TestServer): Map<string, number> {
  const served = new Map<string, number>();
  const files = ts.server.files;
  const readAt = files.readAt.bind(files);
  files.readAt = async (key, rel, buf, length, position) => {
    const n = await readAt(key, rel, buf, length, position);
    served.set(key, (served.get(key) ?? 0) + n);
    return n;
  };
  return served;
}

/** Records (a copy of) every announce the tracker hands its peer store, in order, into the returned array. */
export function recordAnnounces(ts: TestServer): PeerAnnounce[] {
  const seen: PeerAnnounce[] = [];
  const store = ts.server.store;
  const announce = store.announce.bind(store);
  store.announce = (a, out) => {
    seen.push({ ...a });
    return announce(a, out);
  };
  return seen;
}
