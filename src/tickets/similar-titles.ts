/** Words too common in help-desk titles to say two tickets are about the same thing. */
const COMMON = new Set(
  'the and for not with will can cannot cant does doesnt dont from has have into our out'
    .concat(' this that was are any all get got is it its new now when why how what who')
    .concat(' please help issue problem error working work broken')
    .split(/\s+/),
);

/** At most this many words are compared: a long title is matched on its first words. */
const MAX_WORDS = 6;

/**
 * The words of a title being typed that say what it is about, lower-cased,
 * without repeats, short and common words dropped.
 */
export function significantWords(title: string): string[] {
  const words = title
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !COMMON.has(w));
  return [...new Set(words)].slice(0, MAX_WORDS);
}

/** A title with one or two telling words needs one in common; a longer one needs two. */
export function hitsNeeded(words: readonly string[]): number {
  return words.length >= 3 ? 2 : 1;
}
