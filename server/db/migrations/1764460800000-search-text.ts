// torrents.search_text: the folded name and file paths a search matches (db/search-text.ts),
// filled here for the torrents already stored, in JavaScript (the same folding on both databases).
import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { MAX_SEARCH_TEXT_LENGTH, searchText } from '../search-text.js';

/** Paths read per torrent: each takes at least two characters of the text (one and a line feed). */
const MAX_PATHS = MAX_SEARCH_TEXT_LENGTH / 2;

export class SearchText1764460800000 implements MigrationInterface {
  name = 'SearchText1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('torrents', new TableColumn({ name: 'search_text', type: 'text', isNullable: true }));
    const rows: { id: number | string; name: string; display_name: string | null }[] = await q.query('SELECT id, name, display_name FROM torrents');
    for (const r of rows) {
      const paths: { path: string }[] = await q.query(`SELECT path FROM torrent_files WHERE torrent_id = ? ORDER BY position LIMIT ${MAX_PATHS}`, [r.id]);
      await q.query('UPDATE torrents SET search_text = ? WHERE id = ?', [searchText(r.display_name ?? r.name, paths.map((p) => p.path)), r.id]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('torrents', 'search_text');
  }
}
