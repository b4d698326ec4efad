import type { ApplicationName } from '../repositories/application-names.js';
import { cleanHost } from './opened-from.js';

export const MAX_APPLICATION_NAMES = 100;
const MAX_NAME = 60;

/**
 * The Settings list of the agency's other applications, one per line: the
 * host as the browser shows it, then the name staff know it by
 * (`ehr.example Clinical record`). Every line is judged; all problems are told.
 */
export function parseApplicationNames(text: string): {
  names: ApplicationName[];
  errors: string[];
} {
  const names: ApplicationName[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `Line ${index + 1}`;
    const [first = '', ...rest] = line.split(/\s+/);
    const host = cleanHost(first.replace(/^https?:\/\//i, '').replace(/\/.*$/, ''));
    const name = rest.join(' ').replace(/^[=:]\s*/, '');
    if (!host) {
      errors.push(
        `${where}: “${first.slice(0, 60)}” is not a host such as ehr.example or ehr.example:8443.`,
      );
    } else if (name === '') {
      errors.push(`${where}: give ${host} a name after it, such as “${host} Clinical record”.`);
    } else if (name.length > MAX_NAME) {
      errors.push(`${where}: the name is longer than ${MAX_NAME} characters.`);
    } else if (seen.has(host)) {
      errors.push(`${where}: ${host} is named twice.`);
    } else {
      seen.add(host);
      names.push({ host, name });
    }
  });
  if (names.length > MAX_APPLICATION_NAMES) {
    errors.push(`Name at most ${MAX_APPLICATION_NAMES} applications.`);
  }
  return { names, errors };
}

export function formatApplicationNames(names: ApplicationName[]): string {
  return names.map((n) => `${n.host} ${n.name}`).join('\n');
}
