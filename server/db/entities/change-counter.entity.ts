import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A counter bumped in the same transaction as a change that other processes must notice
 * (`torrents`: the registered set). Polling one row is how the command line and other
 * instances reach a running server.
 */
@Entity('change_counters')
export class ChangeCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'integer' })
  value: number;
}
