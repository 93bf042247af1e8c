import assert from 'node:assert/strict';
import { REDACTED, redactText, redactUrl, redactValue } from '../../src/zoho/core/redact';

describe('redact', () => {
  const token = '1000.0123456789abcdef0123.fedcba9876543210fedc';

  it('removes token-shaped values and auth headers from text', () => {
    const text = redactText(`Authorization: Zoho-oauthtoken abc.def and ${token}`);
    assert.ok(!text.includes('abc.def'));
    assert.ok(!text.includes(token));
    assert.ok(text.includes(`Zoho-oauthtoken ${REDACTED}`));
  });

  it('removes known secrets wherever they appear', () => {
    assert.equal(redactText('secret=CANARY-SECRET-1;', ['CANARY-SECRET-1']), `secret=${REDACTED};`);
  });

  it('masks secret keys deeply and leaves other values', () => {
    const out = redactValue({
      headers: { Authorization: 'Zoho-oauthtoken x' },
      nested: [{ refresh_token: 'r', keep: 'value' }],
    }) as { headers: Record<string, string>; nested: Array<Record<string, string>> };
    assert.equal(out.headers.Authorization, REDACTED);
    assert.equal(out.nested[0].refresh_token, REDACTED);
    assert.equal(out.nested[0].keep, 'value');
  });

  it('masks secret query parameters in URLs', () => {
    const url = redactUrl(
      'https://accounts.zoho.com/oauth/v2/token?refresh_token=abc&grant_type=x',
    );
    assert.ok(!url.includes('abc'));
    assert.ok(url.includes('grant_type=x'));
  });
});
