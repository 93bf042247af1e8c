/**
 * The client's one HTTP transport: axios with no redirects (a redirect would carry the token or
 * the client secret to another host) and no proxy lookup from the environment, every status
 * answered rather than thrown.
 *
 * axios is loaded on the first request, not when Node-RED registers the nodes: it costs a
 * Node-RED whose flows hold no Zoho node (or only idle ones) several MB of resident memory for
 * nothing (issue 19: the startup bench, bench/startup.ts, measures it).
 */
import type { AxiosInstance, CancelTokenStatic } from 'axios';

/**
 * The instance, and axios's CancelToken: the request path cancels an attempt through a token
 * (a callback) rather than an AbortSignal, which axios listens on at a cost of tens of
 * microseconds a request (issue 19). axios's README calls CancelToken deprecated (since 0.22) yet
 * keeps it in 1.x; test/zoho/call-signals.test.ts fails if it ever stops cutting an attempt.
 */
export interface Transport {
  client: AxiosInstance;
  CancelToken: CancelTokenStatic;
}

let shared: Promise<Transport> | undefined;

/** The transport, created once per process; the first call loads axios. */
export function axiosTransport(): Promise<Transport> {
  shared ??= import('axios').then(({ default: axios }) => ({
    client: axios.create({ maxRedirects: 0, validateStatus: () => true, proxy: false }),
    CancelToken: axios.CancelToken,
  }));
  return shared;
}

/** The axios instance alone. */
export async function transport(): Promise<AxiosInstance> {
  return (await axiosTransport()).client;
}
