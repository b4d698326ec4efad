/** One message per form field that failed, keyed by the field's name. */
export type FieldErrors<K extends string = string> = Partial<Record<K, string>>;

/** Reads a form value as one trimmed string, whatever the body held. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
