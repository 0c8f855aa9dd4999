// A signed-in user changes their own password: the current one must be given (and guesses at it
// count with the sign-in limiter, as logins do); every other session of theirs ends.
import type { DataSource } from 'typeorm';
import { SessionEntity } from '../db/entities/session.entity.js';
import { UserEntity } from '../db/entities/user.entity.js';
import { accountKey, type AuthUser } from './auth.js';
import type { LoginAttempts } from './login-limiter.js';
import { checkPassword, hashPassword, PASSWORD_MAX_LENGTH, UserInputError, verifyPassword } from './users.js';

/**
 * Sets `actor`'s password to `next` when `current` is theirs. Throws UserInputError: BAD_USER_INPUT
 * for a wrong current password or a bad new one, RATE_LIMITED past the sign-in limits. Ends the
 * user's sessions except the one that asked (all of them when an API token asked); API tokens stay.
 */
export async function changeOwnPassword(ds: DataSource, limiter: LoginAttempts, actor: AuthUser, current: string, next: string, ip: string): Promise<void> {
  if (current.length > PASSWORD_MAX_LENGTH) throw new UserInputError('the current password is not right');
  checkPassword(next);
  const user = await ds.getRepository(UserEntity).findOneBy({ id: actor.id });
  if (user === null) throw new UserInputError('no such user');
  const taken = await limiter.reserve(accountKey(user, user.username), ip);
  if (!taken.ok) throw new UserInputError(`too many wrong passwords; try again in ${Math.ceil(taken.retryAfterMs / 1000)} s`, 'RATE_LIMITED');
  if (!(await verifyPassword(current, user.passwordHash))) throw new UserInputError('the current password is not right');
  await limiter.succeed(taken.reservation);
  const passwordHash = await hashPassword(next);
  const keep = actor.via.kind === 'session' ? actor.via.id : -1;
  await ds.transaction(async (m) => {
    await m.getRepository(UserEntity).update({ id: user.id }, { passwordHash });
    await m.getRepository(SessionEntity).createQueryBuilder().delete().where('user_id = :id AND id <> :keep', { id: user.id, keep }).execute();
  });
}
