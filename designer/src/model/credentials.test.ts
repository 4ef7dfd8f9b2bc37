import { describe, expect, it } from 'vitest';
import { createBody, formFor, patchBody, type CredentialInfo, type CredentialKindInfo } from './credentials';

const retailcrm: CredentialKindInfo = {
  kind: 'retailcrm',
  title: 'RetailCRM',
  testable: true,
  fields: [
    { name: 'url', label: 'Account URL', secret: false },
    { name: 'api_key', label: 'API key', secret: true },
    { name: 'site', label: 'Store', secret: false },
  ],
};
const stored: CredentialInfo = { name: 'crm', kind: 'retailcrm', updated_at: '', fields: ['api_key', 'site', 'url'], values: { url: 'https://a.example', site: 'main' } };

describe('credential forms', () => {
  it('start with the non-secret values and empty secrets', () => {
    expect(formFor(retailcrm, stored)).toEqual({ url: 'https://a.example', api_key: '', site: 'main' });
    expect(formFor(retailcrm, null)).toEqual({ url: '', api_key: '', site: '' });
  });
  it('create with what was typed only', () => {
    expect(createBody({ url: ' https://a.example ', api_key: 'k', site: '' })).toEqual({ url: 'https://a.example', api_key: 'k' });
  });
  it('keep a secret that was not typed again, and send only changed fields', () => {
    expect(patchBody(retailcrm, stored, { url: 'https://a.example', api_key: '', site: 'main' })).toEqual({});
    expect(patchBody(retailcrm, stored, { url: 'https://b.example', api_key: '', site: 'main' })).toEqual({ url: 'https://b.example' });
    expect(patchBody(retailcrm, stored, { url: 'https://a.example', api_key: 'new-key', site: 'main' })).toEqual({ api_key: 'new-key' });
  });
  it('remove a non-secret field that was emptied', () => {
    expect(patchBody(retailcrm, stored, { url: 'https://a.example', api_key: '', site: '' })).toEqual({ site: null });
  });
});
