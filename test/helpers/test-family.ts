import type { ApiFamily, SandboxReply } from '../../src/sandbox/types';

/**
 * A tiny API family for the client-core tests: a read, a write whose effects are counted
 * (to prove a retry never applies a write twice), and a Zoho-shaped error.
 */
export function testFamily(): ApiFamily & { writes: number } {
  const family = {
    name: 'test',
    writes: 0,
    register(r: Parameters<ApiFamily['register']>[0]) {
      r.route(
        'GET',
        '/crm/v8/ping',
        (req): SandboxReply => ({
          status: 200,
          body: { pong: true, query: Object.fromEntries(req.query) },
        }),
        { product: 'crm' },
      );
      r.route(
        'POST',
        '/crm/v8/things',
        (req): SandboxReply => {
          family.writes++;
          return {
            status: 201,
            body: { data: [{ code: 'SUCCESS', details: { echo: req.body } }] },
          };
        },
        { product: 'crm' },
      );
      r.route(
        'GET',
        '/crm/v8/broken',
        (): SandboxReply => ({
          status: 400,
          body: {
            code: 'INVALID_DATA',
            details: { api_name: 'Email' },
            message: 'invalid data',
            status: 'error',
          },
        }),
        { product: 'crm' },
      );
    },
  };
  return family;
}
