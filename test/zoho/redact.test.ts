import assert from 'node:assert/strict';
import { CIRCULAR, REDACTED, redactText, redactUrl, redactValue } from '../../src/zoho/core/redact';

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

  it('masks secrets at any depth: 12 levels, and 100,000 without exhausting the stack', () => {
    const deep = (levels: number, leaf: unknown): unknown => {
      let value = leaf;
      for (let i = 0; i < levels; i++) value = { [`level${i}`]: [value] };
      return value;
    };
    const twelve = JSON.stringify(redactValue(deep(12, { Authorization: 'Zoho-oauthtoken x' })));
    assert.ok(twelve.includes(`"Authorization":"${REDACTED}"`), twelve);
    // JSON.stringify itself recurses, so the copy is walked down to its leaf by hand.
    let leaf = redactValue(deep(100_000, `echo ${token}`), []);
    for (let i = 100_000 - 1; i >= 0; i--)
      leaf = (leaf as Record<string, unknown[]>)[`level${i}`][0];
    assert.equal(leaf, `echo ${REDACTED}`);
  });

  it('copies a cycle once and marks where it closes', () => {
    const body: Record<string, unknown> = { secret: 'CANARY-SECRET-1', list: [] };
    (body.list as unknown[]).push(body);
    body.self = body;
    const out = redactValue(body, ['CANARY-SECRET-1']) as Record<string, unknown>;
    assert.equal(out.secret, REDACTED);
    assert.deepEqual(out.list, [CIRCULAR]);
    assert.equal(out.self, CIRCULAR);
    assert.doesNotThrow(() => JSON.stringify(out));
  });

  it('masks secret query parameters in URLs', () => {
    const url = redactUrl(
      'https://accounts.zoho.com/oauth/v2/token?refresh_token=abc&grant_type=x',
    );
    assert.ok(!url.includes('abc'));
    assert.ok(url.includes('grant_type=x'));
  });
});
