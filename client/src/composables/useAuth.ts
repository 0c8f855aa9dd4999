// The signed-in session: token kept in localStorage, the user it belongs to, sign in / out.
import { computed, reactive } from 'vue';

const TOKEN_KEY = 'seedhost.token';
const USER_KEY = 'seedhost.user';

export interface SessionUser {
  username: string;
  role: 'admin' | 'uploader';
}

function readUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

const state = reactive<{ token: string | null; user: SessionUser | null }>({
  token: localStorage.getItem(TOKEN_KEY),
  user: readUser(),
});

/** The current token (read by the GraphQL client for each request). */
export function currentToken(): string | null {
  return state.token;
}

/** Stores a new session (after login). */
export function setSession(token: string, user: SessionUser): void {
  state.token = token;
  state.user = { username: user.username, role: user.role };
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(state.user));
}

/** Forgets the session locally (after logout, or when the server no longer accepts the token). */
export function clearSession(): void {
  state.token = null;
  state.user = null;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
}

/** Reactive view of the session for components. */
export function useAuth() {
  return {
    token: computed(() => state.token),
    user: computed(() => state.user),
    signedIn: computed(() => state.token !== null),
    isAdmin: computed(() => state.user?.role === 'admin'),
  };
}
