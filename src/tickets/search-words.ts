/**
 * What someone typed into a list's search box, made safe to search with.
 * Control and invisible format characters (a NUL, a tab, a zero-width space)
 * become spaces: no one means them, and a NUL reaching FTS5 ends its query
 * string early ("unterminated string", a 500).
 */
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/gu;
/** More words than this add nothing to a title search but work. */
const MAX_WORDS = 8;

/** The search text with controls turned into spaces, trimmed. */
export function cleanSearchText(text: string): string {
  return text.replace(CONTROL_OR_FORMAT, ' ').trim();
}

/** The words of a search, at most MAX_WORDS. */
export function searchWordsOf(text: string): string[] {
  return cleanSearchText(text).split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
}
