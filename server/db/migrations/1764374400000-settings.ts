// Deployment-wide settings that processes started apart must agree on: the PUBLIC_URL a server
// writes into torrents, recorded at its start, which the command line checks its own against.
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

export class Settings1764374400000 implements MigrationInterface {
  name = 'Settings1764374400000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.driver.options.type === 'mysql' || q.connection.driver.options.type === 'mariadb';
    await q.createTable(new Table({
      name: 'settings',
      columns: [
        { name: 'name', type: 'varchar', length: '64', isPrimary: true },
        { name: 'value', type: 'text' },
      ],
    }));
    if (mysql) await q.query('ALTER TABLE settings CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('settings');
  }
}
