// The secret UDP connection ids are signed with (udp/connection-ids.ts). Every instance behind one
// address must hold the same one, or a client's connect and announce landing on two instances
// fail: it comes from UDP_SECRET, else from a settings row the first instance writes.
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SettingEntity } from '../db/entities/setting.entity.js';

/** The settings row holding the generated secret (hex) when UDP_SECRET is unset. */
export const UDP_SECRET_SETTING = 'udp_secret';

/**
 * The connection-id secret: `configured` (UDP_SECRET) as UTF-8 bytes, else the database's row,
 * written with 32 random bytes by whichever instance comes first (an insert that loses the race
 * reads the winner's).
 */
export async function udpSecret(ds: DataSource, configured: string | undefined): Promise<Buffer> {
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  const repo = ds.getRepository(SettingEntity);
  const stored = await repo.findOneBy({ name: UDP_SECRET_SETTING });
  if (stored !== null) return Buffer.from(stored.value, 'hex');
  try {
    await repo.insert({ name: UDP_SECRET_SETTING, value: randomBytes(32).toString('hex') });
  } catch {
    // another instance inserted first: its value is read below
  }
  const row = await repo.findOneByOrFail({ name: UDP_SECRET_SETTING });
  return Buffer.from(row.value, 'hex');
}
