import { NOTE_MAX } from './model.js';

/** The note box as posted, with line endings made one kind. */
export function readNoteText(body: Record<string, unknown>): string {
  return typeof body.note === 'string' ? body.note.replace(/\r\n?/g, '\n') : '';
}

/** What is wrong with a note, or null. */
export function checkNoteText(text: string): string | null {
  if (!text.trim()) return 'Write something in the note first.';
  const length = [...text].length;
  if (length > NOTE_MAX) {
    return `A note can hold up to ${NOTE_MAX.toLocaleString('en-US')} characters; this one has ${length.toLocaleString('en-US')}.`;
  }
  return null;
}
