import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A deployment-wide value that processes started apart must agree on (`public_url`: the PUBLIC_URL servers write into torrents). */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text' })
  value: string;
}
