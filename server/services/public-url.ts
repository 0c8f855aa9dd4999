// The PUBLIC_URL a deployment writes into torrents, recorded by every server at start in the
// settings table, so that the command line, started apart and maybe with other settings, can check
// its own against it (cli/public-url.ts).
import type { DataSource } from 'typeorm';
import { PUBLIC_URL_SETTING } from '../db/direct/settings.js';
import { SettingEntity } from '../db/entities/setting.entity.js';

/** Records `url` as the PUBLIC_URL this deployment writes into torrents; returns the one recorded before (undefined: none). */
export async function recordPublicUrl(ds: DataSource, url: string): Promise<string | undefined> {
  const repo = ds.getRepository(SettingEntity);
  const before = (await repo.findOneBy({ name: PUBLIC_URL_SETTING }))?.value;
  if (before !== url) await repo.upsert({ name: PUBLIC_URL_SETTING, value: url }, ['name']);
  return before;
}
