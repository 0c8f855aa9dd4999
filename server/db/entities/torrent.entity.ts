import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { bigintNumber } from '../column-transformers.js';
import type { TorrentFormat } from '../../torrent/metainfo.js';
import { TorrentFileEntity } from './torrent-file.entity.js';

/** A torrent this server tracks (and, when `hosted`, whose content it stores and webseeds). */
@Entity('torrents')
export class TorrentEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** v1 info_hash, 40 lowercase hex characters. */
  @Index('uq_torrents_info_hash', { unique: true })
  @Column({ name: 'info_hash', type: 'varchar', length: 40 })
  infoHash: string;

  /** v1, v2 or hybrid (BEP 52); a v2-only torrent's infoHash is its SHA-256 info hash cut to 40 hex. */
  @Column({ type: 'varchar', length: 6, default: 'v1' })
  format: TorrentFormat;

  /** SHA-256 info hash of a v2 or hybrid torrent, 64 lowercase hex characters; null for v1. */
  @Index('uq_torrents_info_hash_v2', { unique: true })
  @Column({ name: 'info_hash_v2', type: 'varchar', length: 64, nullable: true })
  infoHashV2: string | null;

  @Column({ type: 'varchar', length: 1024 })
  name: string;

  /** Bytes. */
  @Column({ name: 'total_size', type: 'bigint', transformer: bigintNumber })
  totalSize: number;

  @Column({ name: 'piece_length', type: 'integer' })
  pieceLength: number;

  @Column({ name: 'piece_count', type: 'integer' })
  pieceCount: number;

  @Column({ name: 'multi_file', type: 'boolean' })
  multiFile: boolean;

  /** true: this server stores the content and serves it as a webseed. */
  @Column({ type: 'boolean' })
  hosted: boolean;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Finished downloads reported by peers (flushed from the tracker in batches). */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  completed: number;

  /** Name shown instead of the metainfo name, when set. */
  @Column({ name: 'display_name', type: 'varchar', length: 1024, nullable: true })
  displayName: string | null;

  /** The user who published or registered it (null: the command line, or a deleted user). */
  @Column({ name: 'owner_id', type: 'integer', nullable: true })
  ownerId: number | null;

  /** Folded name and file paths that searches match (db/search-text.ts); not loaded unless asked for. null: a row written before it existed. */
  @Column({ name: 'search_text', type: 'text', nullable: true, select: false })
  searchText: string | null;

  /** The .torrent file as served; not loaded unless asked for. */
  @Column({ type: 'blob', select: false })
  metainfo: Buffer;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @OneToMany(() => TorrentFileEntity, (f) => f.torrent, { cascade: ['insert'] })
  files: Relation<TorrentFileEntity>[];
}
