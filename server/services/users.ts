// Use cases for accounts: create users with a scrypt password hash, verify passwords.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UserEntity, type UserRole } from '../db/entities/user.entity.js';

const N = 1 << 15, R = 8, P = 1, KEYLEN = 32;

export class UserInputError extends Error {}

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEYLEN, opts, (e, k) => (e ? reject(e) : resolve(k))));
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

/** Creates a user; throws UserInputError for a bad name, role, short password or taken name. */
export async function createUser(ds: DataSource, username: string, password: string, role: UserRole): Promise<UserEntity> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(username)) throw new UserInputError('username must be 1-64 letters, digits, _ . or -');
  if (role !== 'admin' && role !== 'uploader') throw new UserInputError('role must be admin or uploader');
  if (password.length < 8) throw new UserInputError('password must be at least 8 characters');
  const repo = ds.getRepository(UserEntity);
  if (await repo.existsBy({ username })) throw new UserInputError(`user '${username}' already exists`);
  const user = repo.create({ username, passwordHash: await hashPassword(password), role, createdAt: new Date() });
  return repo.save(user);
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

/** Every user, by name. */
export function listUsers(ds: DataSource): Promise<UserEntity[]> {
  return ds.getRepository(UserEntity).find({ order: { username: 'ASC' } });
}

async function otherAdmins(ds: DataSource, id: number): Promise<number> {
  return ds.getRepository(UserEntity).createQueryBuilder('u').where("u.role = 'admin' AND u.id <> :id", { id }).getCount();
}

/** Changes a user's password and/or role; the last admin cannot lose the role. */
export async function updateUser(ds: DataSource, id: number, patch: { password?: string | null; role?: UserRole | null }): Promise<UserEntity> {
  const repo = ds.getRepository(UserEntity);
  const user = await repo.findOneBy({ id });
  if (user === null) throw new UserInputError('no such user');
  if (patch.role != null) {
    if (patch.role !== 'admin' && patch.role !== 'uploader') throw new UserInputError('role must be admin or uploader');
    if (user.role === 'admin' && patch.role !== 'admin' && (await otherAdmins(ds, id)) === 0) throw new UserInputError('the last admin must stay an admin');
    user.role = patch.role;
  }
  if (patch.password != null) {
    if (patch.password.length < 8) throw new UserInputError('password must be at least 8 characters');
    user.passwordHash = await hashPassword(patch.password);
  }
  return repo.save(user);
}

/** Deletes a user (sessions and tokens go with it; their torrents stay, without owner). */
export async function deleteUser(ds: DataSource, id: number): Promise<boolean> {
  const repo = ds.getRepository(UserEntity);
  const user = await repo.findOneBy({ id });
  if (user === null) return false;
  if (user.role === 'admin' && (await otherAdmins(ds, id)) === 0) throw new UserInputError('the last admin cannot be deleted');
  await repo.delete({ id });
  return true;
}
