import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type UserRole = 'admin' | 'uploader';

/** A person or integration that manages torrents. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_users_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** scrypt: `scrypt$N$r$p$salt$hash` (base64). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: UserRole;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
