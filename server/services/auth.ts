// Use cases for signing in: sessions (expiring) and API tokens (until revoked). Tokens are random
// 256-bit strings shown once; only their SHA-256 is stored, so a database leak reveals none.
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiTokenEntity } from '../db/entities/api-token.entity.js';
import { SessionEntity } from '../db/entities/session.entity.js';
import { UserEntity, type UserRole } from '../db/entities/user.entity.js';
import type { LoginAttempts } from './login-limiter.js';
import { normaliseUsername } from './username.js';
import { PASSWORD_MAX_LENGTH, verifyPassword } from './users.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
const SESSION_PREFIX = 'shs_';
const API_PREFIX = 'sht_';

/** Who a request acts as. */
export interface AuthUser {
  id: number;
  username: string;
  role: UserRole;
  /** The session or API token row that authenticated the request. */
  via: { kind: 'session' | 'token'; id: number };
}

export class AuthError extends Error {
  constructor(readonly code: 'UNAUTHENTICATED' | 'RATE_LIMITED' | 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT', message: string) {
    super(message);
  }
}

/** SHA-256 hex of a token: what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const newToken = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

/** Longest username a login may give: longer names cannot exist (USERNAME_MAX_LENGTH) even padded, and are refused unhashed. */
export const LOGIN_NAME_MAX_LENGTH = 256;

/** The limiter's account for `username`: the id of the user the database finds under it, else the name normalised. */
export function accountKey(user: UserEntity | null, username: string): string {
  return user !== null ? `id:${user.id}` : `name:${normaliseUsername(username)}`;
}

/**
 * Checks the password and opens a session. The attempt is reserved with the limiter before the
 * password is hashed (RATE_LIMITED at once when a count is full); only a success gives it back.
 */
export async function login(ds: DataSource, limiter: LoginAttempts, username: string, password: string, ip: string): Promise<{ token: string; user: UserEntity; expiresAt: Date }> {
  if (username.length > LOGIN_NAME_MAX_LENGTH || password.length > PASSWORD_MAX_LENGTH) throw new AuthError('BAD_USER_INPUT', 'username or password too long');
  // the database compares the name (MariaDB: case, accents, width and trailing spaces folded)
  const user = await ds.getRepository(UserEntity).findOneBy({ username });
  const taken = await limiter.reserve(accountKey(user, username), ip);
  if (!taken.ok) throw new AuthError('RATE_LIMITED', `too many failed logins; try again in ${Math.ceil(taken.retryAfterMs / 1000)} s`);
  // verify even for unknown users, so timing does not tell which names exist
  const ok = await verifyPassword(password, user?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (user === null || !ok) throw new AuthError('UNAUTHENTICATED', 'invalid username or password');
  await limiter.succeed(taken.reservation);
  const token = newToken(SESSION_PREFIX);
  const now = Date.now();
  const expiresAt = new Date(now + SESSION_TTL_MS);
  await ds.getRepository(SessionEntity).insert({ tokenHash: hashToken(token), userId: user.id, expiresAt, createdAt: new Date(now) });
  return { token, user, expiresAt };
}

/** Ends the session of `token` (API tokens are revoked, not logged out). */
export async function logout(ds: DataSource, token: string): Promise<boolean> {
  const res = await ds.getRepository(SessionEntity).delete({ tokenHash: hashToken(token) });
  return (res.affected ?? 0) > 0;
}

/** The user behind a bearer token, or null (unknown, expired or revoked). */
export async function authenticate(ds: DataSource, token: string): Promise<AuthUser | null> {
  const tokenHash = hashToken(token);
  if (token.startsWith(SESSION_PREFIX)) {
    const s = await ds.getRepository(SessionEntity).findOne({ where: { tokenHash }, relations: { user: true } });
    if (s === null) return null;
    if (s.expiresAt.getTime() <= Date.now()) {
      await ds.getRepository(SessionEntity).delete({ id: s.id });
      return null;
    }
    return { id: s.user.id, username: s.user.username, role: s.user.role, via: { kind: 'session', id: s.id } };
  }
  if (token.startsWith(API_PREFIX)) {
    const t = await ds.getRepository(ApiTokenEntity).findOne({ where: { tokenHash }, relations: { user: true } });
    if (t === null || t.revokedAt !== null) return null;
    if (t.lastUsedAt === null || Date.now() - t.lastUsedAt.getTime() > 60_000) {
      await ds.getRepository(ApiTokenEntity).update({ id: t.id }, { lastUsedAt: new Date() });
    }
    return { id: t.user.id, username: t.user.username, role: t.user.role, via: { kind: 'token', id: t.id } };
  }
  return null;
}

/** Creates an API token for `userId`; the returned token is the only copy. */
export async function createApiToken(ds: DataSource, userId: number, name: string): Promise<{ token: string; row: ApiTokenEntity }> {
  const clean = name.trim();
  if (clean.length === 0 || clean.length > 100) throw new AuthError('FORBIDDEN', 'token name must be 1-100 characters');
  const token = newToken(API_PREFIX);
  const repo = ds.getRepository(ApiTokenEntity);
  const row = await repo.save(repo.create({ name: clean, tokenHash: hashToken(token), userId, createdAt: new Date(), lastUsedAt: null, revokedAt: null }));
  return { token, row };
}

/** Revokes a token: one's own, or anyone's for an admin. */
export async function revokeApiToken(ds: DataSource, actor: AuthUser, id: number): Promise<boolean> {
  const repo = ds.getRepository(ApiTokenEntity);
  const t = await repo.findOneBy({ id });
  if (t === null || (t.userId !== actor.id && actor.role !== 'admin')) throw new AuthError('NOT_FOUND', 'no such API token');
  if (t.revokedAt !== null) return false;
  await repo.update({ id }, { revokedAt: new Date() });
  return true;
}

/** A user's API tokens, newest first (never the token values). */
export function listApiTokens(ds: DataSource, userId: number): Promise<ApiTokenEntity[]> {
  return ds.getRepository(ApiTokenEntity).find({ where: { userId }, order: { id: 'DESC' } });
}
