import { EMAIL_DOMAIN } from '../../config.js';
import type { FieldErrors } from '../../forms/fields.js';
import { checkIssuerUrl } from './issuer.js';
import type { SsoSettings } from './settings.js';

/** Settings → Sign-in, as typed. The secret is only ever what was typed just now. */
export interface SsoFormValues {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  enabled: boolean;
  required: boolean;
  breakGlassStaffId: string;
  createDomain: string;
  createRoleId: string;
}

export type SsoField =
  | 'name'
  | 'issuer'
  | 'clientId'
  | 'clientSecret'
  | 'required'
  | 'breakGlassStaffId'
  | 'createDomain'
  | 'createRoleId';

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

export function readSsoForm(body: Record<string, unknown>): SsoFormValues {
  return {
    name: str(body.name),
    issuer: str(body.issuer),
    clientId: str(body.client_id),
    // Secrets may carry spaces at the ends only by mistake.
    clientSecret: str(body.client_secret),
    enabled: body.enabled === 'on',
    required: body.required === 'on',
    breakGlassStaffId: str(body.break_glass_staff_id),
    createDomain: str(body.create_domain).toLowerCase().replace(/^@/, ''),
    createRoleId: str(body.create_role_id),
  };
}

export function formValuesOf(settings: SsoSettings | undefined): SsoFormValues {
  return {
    name: settings?.name ?? '',
    issuer: settings?.issuer ?? '',
    clientId: settings?.clientId ?? '',
    clientSecret: '',
    enabled: settings?.enabled ?? false,
    required: settings?.required ?? false,
    breakGlassStaffId: settings?.breakGlassStaffId ? String(settings.breakGlassStaffId) : '',
    createDomain: settings?.createDomain ?? '',
    createRoleId: settings?.createRoleId ? String(settings.createRoleId) : '',
  };
}

/**
 * Checks each field on its own; whether the provider answers is checked after
 * (Test connection), and the break-glass administrator against the staff list.
 */
export function validateSsoForm(
  values: SsoFormValues,
  options: {
    allowHttpLoopback: boolean;
    secretStored: boolean;
    administratorIds: Set<number>;
    roleIds: Set<number>;
  },
): FieldErrors<SsoField> {
  const errors: FieldErrors<SsoField> = {};
  if (!values.name) errors.name = 'Enter the name people know the provider by, such as Microsoft.';
  else if (values.name.length > 40) errors.name = 'Use at most 40 characters.';
  const issuer = checkIssuerUrl(values.issuer, options.allowHttpLoopback);
  if (!issuer.ok) errors.issuer = issuer.error;
  if (!values.clientId) errors.clientId = 'Enter the client ID the provider gave hushdesk.';
  else if (values.clientId.length > 200) errors.clientId = 'Use at most 200 characters.';
  if (!values.clientSecret && !options.secretStored) {
    errors.clientSecret = 'Enter the client secret the provider gave hushdesk.';
  } else if (values.clientSecret.length > 500) errors.clientSecret = 'Use at most 500 characters.';
  if (values.required && !values.enabled) {
    errors.required = 'Turn single sign-on on to require it.';
  }
  const breakGlass = Number(values.breakGlassStaffId);
  if (values.breakGlassStaffId && !options.administratorIds.has(breakGlass)) {
    errors.breakGlassStaffId = 'Choose an active administrator (someone who can manage settings).';
  } else if (values.required && !values.breakGlassStaffId) {
    errors.breakGlassStaffId =
      'Choose the administrator who may still sign in with a password if the provider is down.';
  }
  if (values.createDomain && !EMAIL_DOMAIN.test(values.createDomain)) {
    errors.createDomain = 'Enter an email domain such as agency.org, or leave it empty.';
  }
  if (values.createDomain && !options.roleIds.has(Number(values.createRoleId))) {
    errors.createRoleId = 'Choose the role new accounts get.';
  }
  return errors;
}
