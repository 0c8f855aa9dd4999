// Use cases for accounts: create users with a scrypt password hash, verify passwords, change
// roles and passwords under the last-admin rule (server/services/user-lock.ts holds the lock).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SessionEntity } from '../db/entities/session.entity.js';
import { UserEntity, type UserRole } from '../db/entities/user.entity.js';
import type { AuthUser } from './auth.js';
import { scryptOnWorker, type ScryptParams } from './kdf-pool.js';
import { passwordProblem } from './password-rules.js';
import { isDuplicateKey, withUsersLocked, type LockedUser } from './user-lock.js';
import { USERNAME_MAX_LENGTH, USERNAME_PATTERN } from './username.js';

const N = 1 << 15, R = 8, P = 1, KEYLEN = 32;

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-rules.js';

/** A refused account change; `code` is the GraphQL code (CONFLICT: the current state forbids it). */
export class UserInputError extends Error {
  constructor(message: string, readonly code: 'BAD_USER_INPUT' | 'CONFLICT' | 'FORBIDDEN' | 'RATE_LIMITED' = 'BAD_USER_INPUT') {
    super(message);
  }
}

/** Throws UserInputError for a password the rules refuse. */
export function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new UserInputError(`password ${problem}`);
}

/** scrypt on a hashing thread at nice 10 (kdf-pool.ts), so sign-ins yield the CPU to announces. */
function scryptAsync(password: string, salt: Buffer, opts: ScryptParams): Promise<Buffer> {
  return scryptOnWorker(password, salt, KEYLEN, opts);
}

/** scrypt (N=2^15, r=8, p=1) hash in the form `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** true when `password` matches a hash made by hashPassword. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || hash === undefined) return false;
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  const want = Buffer.from(hash, 'base64');
  return key.length === want.length && timingSafeEqual(key, want);
}

/**
 * Creates a user; throws UserInputError for a bad name, role or password, or a name already taken
 * under the database's comparison or case-insensitively (so names differ beyond case on both databases).
 */
export async function createUser(ds: DataSource, username: string, password: string, role: UserRole): Promise<UserEntity> {
  if (!USERNAME_PATTERN.test(username)) throw new UserInputError(`username must be 1-${USERNAME_MAX_LENGTH} letters, digits, _ . or -`);
  if (role !== 'admin' && role !== 'uploader') throw new UserInputError('role must be admin or uploader');
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const taken = new UserInputError(`user '${username}' already exists`);
  try {
    return await withUsersLocked(ds, [], async (_, m) => {
      const clash = await m.getRepository(UserEntity).createQueryBuilder('u').where('u.username = :u OR LOWER(u.username) = LOWER(:u)', { u: username }).getExists();
      if (clash) throw taken;
      return m.getRepository(UserEntity).save(m.getRepository(UserEntity).create({ username, passwordHash, role, createdAt: new Date() }));
    });
  } catch (e) {
    // another process (another instance, the command line) created it meanwhile
    if (isDuplicateKey(e)) throw taken;
    throw e;
  }
}

/** Creates the configured admin when no user exists yet; returns whether it did. */
export async function ensureAdmin(ds: DataSource, admin: { username: string; password: string } | undefined): Promise<boolean> {
  if (admin === undefined || (await ds.getRepository(UserEntity).count()) > 0) return false;
  try {
    await createUser(ds, admin.username, admin.password, 'admin');
  } catch (e) {
    // another instance starting at the same moment created it first
    if ((await ds.getRepository(UserEntity).countBy({ username: admin.username })) > 0) return false;
    throw e;
  }
  return true;
}

/** How many users exist, and how many of them are admins. */
export async function countUsers(ds: DataSource): Promise<{ users: number; admins: number }> {
  const repo = ds.getRepository(UserEntity);
  const [users, admins] = await Promise.all([repo.count(), repo.countBy({ role: 'admin' })]);
  return { users, admins };
}

/** Every user, by name. */
export function listUsers(ds: DataSource): Promise<UserEntity[]> {
  return ds.getRepository(UserEntity).find({ order: { username: 'ASC' } });
}

/** Who asks for a change: their id, and the session that carried the request (kept on a self-change of password). */
export type UserActor = Pick<AuthUser, 'id'> & Partial<Pick<AuthUser, 'via'>>;

/** Under the lock: the actor must still be an admin (a concurrent change may have demoted or deleted them). */
function checkActor(locked: LockedUser[], actor: UserActor | undefined): void {
  if (actor !== undefined && !locked.some((u) => u.id === actor.id && u.role === 'admin')) throw new UserInputError('you are no longer an admin', 'FORBIDDEN');
}

const otherAdmins = (locked: LockedUser[], id: number): number => locked.filter((u) => u.role === 'admin' && u.id !== id).length;

/**
 * Changes a user's password and/or role in one locked transaction; the last admin cannot lose the
 * role (CONFLICT). A new password ends the user's sessions (all but the actor's own on a self-change);
 * API tokens stay.
 */
export async function updateUser(ds: DataSource, id: number, patch: { password?: string | null; role?: UserRole | null }, actor?: UserActor): Promise<UserEntity> {
  if (patch.role != null && patch.role !== 'admin' && patch.role !== 'uploader') throw new UserInputError('role must be admin or uploader');
  if (patch.password != null) checkPassword(patch.password);
  const passwordHash = patch.password != null ? await hashPassword(patch.password) : null;
  return withUsersLocked(ds, actor === undefined ? [id] : [id, actor.id], async (locked, m) => {
    checkActor(locked, actor);
    const repo = m.getRepository(UserEntity);
    const user = await repo.findOneBy({ id });
    if (user === null) throw new UserInputError('no such user');
    if (patch.role != null) {
      if (user.role === 'admin' && patch.role !== 'admin' && otherAdmins(locked, id) === 0) throw new UserInputError('the last admin must stay an admin', 'CONFLICT');
      user.role = patch.role;
    }
    if (passwordHash !== null) {
      user.passwordHash = passwordHash;
      const keep = actor?.id === id && actor.via?.kind === 'session' ? actor.via.id : -1;
      await m.getRepository(SessionEntity).createQueryBuilder().delete().where('user_id = :id AND id <> :keep', { id, keep }).execute();
    }
    return repo.save(user);
  });
}

/** Deletes a user in one locked transaction (sessions and tokens go with it; their torrents stay, without owner); the last admin cannot be deleted (CONFLICT). */
export async function deleteUser(ds: DataSource, id: number, actor?: UserActor): Promise<boolean> {
  return withUsersLocked(ds, actor === undefined ? [id] : [id, actor.id], async (locked, m) => {
    checkActor(locked, actor);
    const user = locked.find((u) => u.id === id);
    if (user === undefined) return false;
    if (user.role === 'admin' && otherAdmins(locked, id) === 0) throw new UserInputError('the last admin cannot be deleted', 'CONFLICT');
    await m.getRepository(UserEntity).delete({ id });
    return true;
  });
}
