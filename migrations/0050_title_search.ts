import { type Kysely, sql } from 'kysely';

/**
 * A full-text index of ticket titles (titles hold no PHI). SQLite FTS5, an
 * external-content table kept in step by triggers; a PostgreSQL store would use
 * a tsvector index instead (see src/db/title-search.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table tickets_title_fts using fts5(
    title, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`create trigger tickets_title_fts_insert after insert on tickets begin
    insert into tickets_title_fts(rowid, title) values (new.id, new.title);
  end`.execute(db);
  await sql`create trigger tickets_title_fts_delete after delete on tickets begin
    insert into tickets_title_fts(tickets_title_fts, rowid, title) values ('delete', old.id, old.title);
  end`.execute(db);
  await sql`create trigger tickets_title_fts_update after update of title on tickets begin
    insert into tickets_title_fts(tickets_title_fts, rowid, title) values ('delete', old.id, old.title);
    insert into tickets_title_fts(rowid, title) values (new.id, new.title);
  end`.execute(db);
  await sql`insert into tickets_title_fts(tickets_title_fts) values ('rebuild')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['insert', 'delete', 'update']) {
    await sql.raw(`drop trigger tickets_title_fts_${trigger}`).execute(db);
  }
  await sql`drop table tickets_title_fts`.execute(db);
}
