/** A Requester that records every spec and answers from a handler: unit tests of the API families. */
import type { RequestSpec, ZohoResponse } from '../../src/zoho/core/http';

export type StubAnswer = { status?: number; headers?: Record<string, string>; data?: unknown };
export type StubHandler = (spec: RequestSpec, index: number) => StubAnswer | Promise<StubAnswer>;

export class StubRequester {
  readonly calls: RequestSpec[] = [];
  constructor(private readonly handler: StubHandler = () => ({ data: { data: [] } })) {}

  request = async <T = unknown>(spec: RequestSpec): Promise<ZohoResponse<T>> => {
    this.calls.push(spec);
    const answer = await this.handler(spec, this.calls.length - 1);
    return {
      status: answer.status ?? 200,
      headers: answer.headers ?? {},
      data: answer.data as T,
      attempts: 1,
    };
  };
}

/** Zoho's per-record success entry. */
export function ok(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code: 'SUCCESS', details: { id }, message: 'record added', status: 'success', ...extra };
}

export function fail(
  code: string,
  message: string,
  details: unknown = {},
): Record<string, unknown> {
  return { code, details, message, status: 'error' };
}
