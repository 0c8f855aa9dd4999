// torrents.format ('v1', 'v2' or 'hybrid', BEP 52) and torrents.info_hash_v2 (the SHA-256 info
// hash, 64 lowercase hex; null for v1). Rows stored before are v1 torrents: the default fits them.
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

export class TorrentFormat1764547200000 implements MigrationInterface {
  name = 'TorrentFormat1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('torrents', new TableColumn({ name: 'format', type: 'varchar', length: '6', default: "'v1'" }));
    await q.addColumn('torrents', new TableColumn({ name: 'info_hash_v2', type: 'varchar', length: '64', isNullable: true }));
    await q.createIndex('torrents', new TableIndex({ name: 'uq_torrents_info_hash_v2', columnNames: ['info_hash_v2'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('torrents', 'uq_torrents_info_hash_v2');
    await q.dropColumn('torrents', 'info_hash_v2');
    await q.dropColumn('torrents', 'format');
  }
}
