// The signed-in session: token kept in localStorage, the user it belongs to, sign in / out.
// Storage may be unreachable (a cross-site frame with third-party storage blocked, a private
// mode that throws): every access is guarded, and the session then lasts as long as the page.
import { computed, reactive } from 'vue';

const TOKEN_KEY = 'seedhost.token';
const USER_KEY = 'seedhost.user';

export interface SessionUser {
  username: string;
  role: 'admin' | 'uploader';
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage unavailable: the session stays in memory */ }
}

function readUser(): SessionUser | null {
  try {
    const u = JSON.parse(stored(USER_KEY) ?? 'null') as SessionUser | null;
    return u && typeof u.username === 'string' && (u.role === 'admin' || u.role === 'uploader') ? u : null;
  } catch {
    return null;
  }
}

const state = reactive<{ token: string | null; user: SessionUser | null }>({
  token: stored(TOKEN_KEY),
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
  store(TOKEN_KEY, token);
  store(USER_KEY, JSON.stringify(state.user));
}

/** Forgets the session locally (after logout, or when the server no longer accepts the token). */
export function clearSession(): void {
  state.token = null;
  state.user = null;
  store(TOKEN_KEY, null);
  store(USER_KEY, null);
}

/** Replaces the stored user with what the server says now (a role changed since sign-in). */
export function updateUser(user: SessionUser): void {
  if (state.token === null) return;
  if (state.user?.username === user.username && state.user.role === user.role) return;
  state.user = { username: user.username, role: user.role };
  store(USER_KEY, JSON.stringify(state.user));
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
