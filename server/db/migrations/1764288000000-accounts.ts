// Accounts for the GraphQL API: sessions and API tokens (stored hashed), torrent owners and a
// display name that can differ from the metainfo name.
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey } from 'typeorm';

const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };

export class Accounts1764288000000 implements MigrationInterface {
  name = 'Accounts1764288000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.driver.options.type === 'mysql' || q.connection.driver.options.type === 'mariadb';
    const time = (name: string, nullable = false) => ({ name, type: 'datetime', precision: mysql ? 3 : undefined, isNullable: nullable });
    const userFk = (table: string) => new TableForeignKey({
      name: `fk_${table}_user`, columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE',
    });
    await q.createTable(new Table({
      name: 'sessions',
      columns: [id, { name: 'token_hash', type: 'varchar', length: '64' }, { name: 'user_id', type: 'integer' }, time('expires_at'), time('created_at')],
      indices: [{ name: 'uq_sessions_token_hash', columnNames: ['token_hash'], isUnique: true }],
      foreignKeys: [userFk('sessions')],
    }));
    await q.createTable(new Table({
      name: 'api_tokens',
      columns: [
        id, { name: 'name', type: 'varchar', length: '100' }, { name: 'token_hash', type: 'varchar', length: '64' },
        { name: 'user_id', type: 'integer' }, time('created_at'), time('last_used_at', true), time('revoked_at', true),
      ],
      indices: [{ name: 'uq_api_tokens_token_hash', columnNames: ['token_hash'], isUnique: true }],
      foreignKeys: [userFk('api_tokens')],
    }));
    await q.addColumn('torrents', new TableColumn({ name: 'owner_id', type: 'integer', isNullable: true }));
    await q.addColumn('torrents', new TableColumn({ name: 'display_name', type: 'varchar', length: '1024', isNullable: true }));
    await q.createForeignKey('torrents', new TableForeignKey({
      name: 'fk_torrents_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'SET NULL',
    }));
    if (mysql) {
      for (const t of ['sessions', 'api_tokens']) await q.query(`ALTER TABLE ${t} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('torrents', 'fk_torrents_owner');
    await q.dropColumn('torrents', 'display_name');
    await q.dropColumn('torrents', 'owner_id');
    await q.dropTable('api_tokens');
    await q.dropTable('sessions');
  }
}
