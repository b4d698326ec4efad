import { type Kysely, sql } from 'kysely';

/**
 * A second title index holding only the open tickets (new, in progress,
 * waiting). FTS5 answers a prefix search ("printer*") by merging every match
 * into memory before anything else can filter it: over ten years of titles a
 * common word matches a tenth of them, and the search took a third of a second
 * where the lists, which show open tickets unless asked otherwise, want a few
 * of those thousands. This index is as small as the open work.
 *
 * On SQLite, contentless with deletes by rowid (SQLite 3.43+): it is only ever asked for
 * rowids, and triggers keep it in step with each ticket's title and status.
 */
const OPEN = `('new', 'in_progress', 'waiting')`;

type Context = { dialect: 'sqlite' | 'postgres' };

export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  if (dialect === 'postgres') {
    // A partial GIN index: the same small index of open titles, kept by PostgreSQL itself.
    await sql
      .raw(
        `create index tickets_open_title_search on tickets
           using gin (to_tsvector('simple', hushdesk_fold(title))) where status in ${OPEN}`,
      )
      .execute(db);
    return;
  }
  await sql`create virtual table tickets_open_title_fts using fts5(
    title, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  )`.execute(db);
  const triggers = [
    `create trigger tickets_open_title_fts_insert after insert on tickets
       when new.status in ${OPEN} begin
       insert into tickets_open_title_fts(rowid, title) values (new.id, new.title);
     end`,
    `create trigger tickets_open_title_fts_delete after delete on tickets
       when old.status in ${OPEN} begin
       delete from tickets_open_title_fts where rowid = old.id;
     end`,
    // One trigger, so the old entry always goes before the new one comes in.
    `create trigger tickets_open_title_fts_update after update of title, status on tickets
       when (old.status in ${OPEN}) != (new.status in ${OPEN})
         or (new.status in ${OPEN} and old.title is not new.title) begin
       delete from tickets_open_title_fts where rowid = old.id and old.status in ${OPEN};
       insert into tickets_open_title_fts(rowid, title)
         select new.id, new.title where new.status in ${OPEN};
     end`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);
  await sql
    .raw(
      `insert into tickets_open_title_fts(rowid, title)
       select id, title from tickets where status in ${OPEN}`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  if (dialect === 'postgres') {
    await sql`drop index tickets_open_title_search`.execute(db);
    return;
  }
  for (const trigger of ['insert', 'delete', 'update']) {
    await sql.raw(`drop trigger tickets_open_title_fts_${trigger}`).execute(db);
  }
  await sql`drop table tickets_open_title_fts`.execute(db);
}
