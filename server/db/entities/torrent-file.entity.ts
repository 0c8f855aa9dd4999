import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { bigintNumber } from '../column-transformers.js';
import { TorrentEntity } from './torrent.entity.js';

/** One file of a torrent, in metainfo order. */
@Entity('torrent_files')
@Index('ix_torrent_files_torrent', ['torrentId', 'position'])
export class TorrentFileEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'torrent_id', type: 'integer' })
  torrentId: number;

  @ManyToOne(() => TorrentEntity, (t) => t.files, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'torrent_id' })
  torrent: Relation<TorrentEntity>;

  /** Index in the metainfo's file list. */
  @Column({ type: 'integer' })
  position: number;

  /** Relative to the torrent's root, `/`-separated. */
  @Column({ type: 'text' })
  path: string;

  /** Bytes. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  length: number;
}
