// The role shown is re-checked with the server: at start, when the tab comes back into view and
// on navigation (at most once per CHECK_MS), so a promotion or demotion shows without signing in
// again, and a session ended elsewhere signs this tab out.
import { onBeforeUnmount } from 'vue';
import { useRouter } from 'vue-router';
import { urqlClient } from '../graphql/client';
import { ME } from '../graphql/documents';
import { clearSession, currentToken, updateUser, type SessionUser } from './useAuth';

const CHECK_MS = 30_000;

export function useSessionCheck(): void {
  let last = 0;
  async function check(force = false): Promise<void> {
    const token = currentToken();
    if (token === null || (!force && Date.now() - last < CHECK_MS)) return;
    last = Date.now();
    const r = await urqlClient.query<{ me: SessionUser | null }>(ME, {}, { requestPolicy: 'network-only' }).toPromise();
    if (r.error || currentToken() !== token) return; // offline, or signed in/out meanwhile: try later
    if (r.data?.me) updateUser(r.data.me);
    else clearSession();
  }
  void check(true);
  const router = useRouter();
  const stop = router.afterEach(() => void check());
  const visible = (): void => { if (document.visibilityState === 'visible') void check(); };
  document.addEventListener('visibilitychange', visible);
  onBeforeUnmount(() => {
    stop();
    document.removeEventListener('visibilitychange', visible);
  });
}
