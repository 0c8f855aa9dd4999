// First schema: torrents, their files, users, and the change counter. Written with TypeORM's
// Table API so one migration serves SQLite and MySQL/MariaDB.
import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };

export class Initial1764201600000 implements MigrationInterface {
  name = 'Initial1764201600000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.driver.options.type === 'mysql' || q.connection.driver.options.type === 'mariadb';
    await q.createTable(new Table({
      name: 'torrents',
      columns: [
        id,
        { name: 'info_hash', type: 'varchar', length: '40' },
        { name: 'name', type: 'varchar', length: '1024' },
        { name: 'total_size', type: 'bigint' },
        { name: 'piece_length', type: 'integer' },
        { name: 'piece_count', type: 'integer' },
        { name: 'multi_file', type: 'boolean' },
        { name: 'hosted', type: 'boolean' },
        { name: 'description', type: 'text', isNullable: true },
        { name: 'completed', type: 'bigint', default: 0 },
        { name: 'metainfo', type: mysql ? 'longblob' : 'blob' },
        { name: 'created_at', type: 'datetime', precision: mysql ? 3 : undefined },
      ],
      indices: [{ name: 'uq_torrents_info_hash', columnNames: ['info_hash'], isUnique: true }],
    }));
    await q.createTable(new Table({
      name: 'torrent_files',
      columns: [
        id,
        { name: 'torrent_id', type: 'integer' },
        { name: 'position', type: 'integer' },
        { name: 'path', type: 'text' },
        { name: 'length', type: 'bigint' },
      ],
    }));
    await q.createIndex('torrent_files', new TableIndex({ name: 'ix_torrent_files_torrent', columnNames: ['torrent_id', 'position'] }));
    await q.createForeignKey('torrent_files', new TableForeignKey({
      name: 'fk_torrent_files_torrent', columnNames: ['torrent_id'], referencedTableName: 'torrents',
      referencedColumnNames: ['id'], onDelete: 'CASCADE',
    }));
    await q.createTable(new Table({
      name: 'users',
      columns: [
        id,
        { name: 'username', type: 'varchar', length: '64' },
        { name: 'password_hash', type: 'varchar', length: '255' },
        { name: 'role', type: 'varchar', length: '16' },
        { name: 'created_at', type: 'datetime', precision: mysql ? 3 : undefined },
      ],
      indices: [{ name: 'uq_users_username', columnNames: ['username'], isUnique: true }],
    }));
    await q.createTable(new Table({
      name: 'change_counters',
      columns: [
        { name: 'name', type: 'varchar', length: '32', isPrimary: true },
        { name: 'value', type: 'integer' },
      ],
    }));
    await q.query(`INSERT INTO change_counters (name, value) VALUES ('torrents', 0)`);
    if (mysql) {
      for (const t of ['torrents', 'torrent_files', 'users', 'change_counters']) {
        await q.query(`ALTER TABLE ${t} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }
      // info_hash and usernames compare exactly
      await q.query('ALTER TABLE torrents MODIFY info_hash varchar(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('change_counters');
    await q.dropTable('users');
    await q.dropTable('torrent_files');
    await q.dropTable('torrents');
  }
}
