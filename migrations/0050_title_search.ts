import { type Kysely, sql } from 'kysely';

type Context = { dialect: 'sqlite' | 'postgres' };

/**
 * Letters with accents, folded to their plain lower-case letter, for
 * PostgreSQL, where the `unaccent` extension is not on every managed server:
 * the Latin letters Unicode decomposes into a base letter and marks (Latin-1,
 * Extended-A and B, Extended Additional), the same ones the app folds in what
 * is typed (src/db/dialect/title-search.ts).
 */
function accentFolding(): { from: string; to: string } {
  let from = '';
  let to = '';
  const ranges = [
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ];
  for (const [first = 0, last = 0] of ranges) {
    for (let code = first; code <= last; code++) {
      const letter = String.fromCodePoint(code);
      const base = letter.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
      if (base !== letter && /^[a-z]$/.test(base)) {
        from += letter;
        to += base;
      }
    }
  }
  return { from, to };
}

/**
 * A full-text index of ticket titles (titles hold no PHI). SQLite: FTS5, an
 * external-content table kept in step by triggers. PostgreSQL: a GIN index on
 * the title's words, accents folded by hushdesk_fold, which needs no trigger.
 */
export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  if (dialect === 'postgres') {
    const { from, to } = accentFolding();
    await sql
      .raw(
        `create function hushdesk_fold(title text) returns text
           language sql immutable strict parallel safe
           as $$ select lower(translate(title, '${from}', '${to}')) $$`,
      )
      .execute(db);
    await sql`create index tickets_title_search on tickets
      using gin (to_tsvector('simple', hushdesk_fold(title)))`.execute(db);
    return;
  }
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

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  if (dialect === 'postgres') {
    await sql`drop index tickets_title_search`.execute(db);
    await sql`drop function hushdesk_fold(text)`.execute(db);
    return;
  }
  for (const trigger of ['insert', 'delete', 'update']) {
    await sql.raw(`drop trigger tickets_title_fts_${trigger}`).execute(db);
  }
  await sql`drop table tickets_title_fts`.execute(db);
}
