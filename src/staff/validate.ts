import { checkPassword } from '../auth/passwords.js';
import type { FieldErrors } from '../forms/fields.js';

export interface StaffFields {
  name: string;
  username: string;
  email: string;
  department: string;
  password?: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateStaffFields(fields: StaffFields): FieldErrors<keyof StaffFields> {
  const errors: FieldErrors<keyof StaffFields> = {};
  if (!fields.name) errors.name = 'Enter the person’s name.';
  else if (fields.name.length > 100) errors.name = 'Use at most 100 characters.';
  else if (CONTROL.test(fields.name)) errors.name = 'Use letters, spaces and punctuation only.';

  if (!fields.username) errors.username = 'Choose a username.';
  else if (!USERNAME.test(fields.username))
    errors.username =
      'Use 2 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit.';

  if (!fields.email) errors.email = 'Enter an email address.';
  else if (fields.email.length > 254 || !EMAIL.test(fields.email) || CONTROL.test(fields.email))
    errors.email = 'Enter an email address such as ann@example.org.';

  if (fields.department.length > 80) errors.department = 'Use at most 80 characters.';
  else if (CONTROL.test(fields.department))
    errors.department = 'Use letters, spaces and punctuation only.';

  if (fields.password !== undefined) {
    const problem = checkPassword(fields.password, {
      username: fields.username,
      name: fields.name,
    });
    if (problem) errors.password = problem;
  }
  return errors;
}

export function validateRoleName(name: string): string | null {
  if (!name) return 'Enter a name for the role.';
  if (name.length > 60) return 'Use at most 60 characters.';
  if (CONTROL.test(name)) return 'Use letters, spaces and punctuation only.';
  return null;
}
