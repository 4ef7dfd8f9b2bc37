// Credentials as the credentials page edits them: secrets are write-only, so an edit sends only what changed.

export interface CredentialFieldInfo {
  name: string;
  label: string;
  secret: boolean;
  help?: string | null;
}

export interface CredentialKindInfo {
  kind: string;
  title: string;
  testable: boolean;
  fields: CredentialFieldInfo[];
}

/** A stored credential as admins see it: which fields are set, and the values of those that are not secret. */
export interface CredentialInfo {
  name: string;
  kind: string;
  updated_at: string;
  fields: string[];
  values: Record<string, string>;
}

/** What the form holds: a text per field; a secret's text is empty unless the admin typed a new one. */
export type CredentialForm = Record<string, string>;

/** The form to start editing with: non-secret values as stored, secrets empty (never sent back). */
export function formFor(kind: CredentialKindInfo | undefined, stored: CredentialInfo | null): CredentialForm {
  const form: CredentialForm = {};
  for (const f of kind?.fields ?? []) form[f.name] = f.secret ? '' : (stored?.values[f.name] ?? '');
  return form;
}

/** The fields of a new credential: every field typed. */
export function createBody(form: CredentialForm): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v.trim() !== '') fields[k] = v.trim();
  return fields;
}

/**
 * The change to an existing credential: a typed secret replaces the stored one, an empty secret keeps
 * it; a non-secret field is sent when it changed, and null when it was emptied.
 */
export function patchBody(kind: CredentialKindInfo | undefined, stored: CredentialInfo, form: CredentialForm): Record<string, string | null> {
  const change: Record<string, string | null> = {};
  const secret = new Set((kind?.fields ?? []).filter((f) => f.secret).map((f) => f.name));
  for (const [k, raw] of Object.entries(form)) {
    const v = raw.trim();
    if (secret.has(k)) {
      if (v !== '') change[k] = v;
    } else if (v === '') {
      if (stored.fields.includes(k)) change[k] = null;
    } else if (stored.values[k] !== v) {
      change[k] = v;
    }
  }
  return change;
}
