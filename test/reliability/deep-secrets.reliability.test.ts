/**
 * Secrets at any depth: 1,000 generated Zoho error bodies that reflect the token, the client
 * secret and an Authorization header at random depths (up to 60 levels, some with cycles), each
 * shaped by the client (httpError) and worded by the node layer (errorShape) as msg.error is.
 */
import assert from 'node:assert/strict';
import { httpError } from '../../src/zoho/core/response';
import { errorShape } from '../../src/nodes/runtime/errors';
import { figure } from './figures';

const ACCESS_TOKEN = `1000.${'a1'.repeat(16)}.${'b2'.repeat(16)}`;
const CLIENT_SECRET = 'deep-canary-secret-7d1f';
const PLAIN_TOKEN = 'plain-canary-token-0e9a';
const texts = {
  shared: (_key: string, vars?: Record<string, unknown>) =>
    typeof vars?.message === 'string' ? vars.message : '',
  whereSet: () => undefined,
};

/** A small seeded generator, so a failing body can be found again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function leak(next: () => number): unknown {
  const pick = Math.floor(next() * 4);
  if (pick === 0) return { Authorization: `Zoho-oauthtoken ${PLAIN_TOKEN}` };
  if (pick === 1) return { access_token: PLAIN_TOKEN };
  if (pick === 2) return `request carried ${ACCESS_TOKEN}`;
  return { echo: `client_secret=${CLIENT_SECRET}` };
}

function nestedBody(next: () => number): unknown {
  const depth = 1 + Math.floor(next() * 60);
  const top: Record<string, unknown> = {};
  let here = top;
  for (let level = 0; level < depth; level++) {
    const child: Record<string, unknown> = {};
    if (next() < 0.3) here[`leak${level}`] = leak(next);
    here[next() < 0.5 ? 'details' : 'nested'] = next() < 0.5 ? child : [child];
    if (next() < 0.05) child.loop = top;
    here = child;
  }
  here.last = leak(next);
  return { code: 'INVALID_DATA', message: 'the value is invalid', details: top, status: 'error' };
}

describe('reliability: secrets at any depth', () => {
  it('no secret in 1,000 generated nested error bodies', () => {
    const next = random(13);
    let found = 0;
    for (let i = 0; i < 1000; i++) {
      const error = httpError(400, nestedBody(next));
      const text = JSON.stringify(errorShape(error, [CLIENT_SECRET], texts));
      for (const secret of [ACCESS_TOKEN, CLIENT_SECRET, PLAIN_TOKEN]) {
        if (text.includes(secret)) found++;
      }
    }
    figure('attack.deep_secrets.bodies', 1000);
    figure('attack.deep_secrets.secrets_found', found);
    assert.equal(found, 0);
  });
});
