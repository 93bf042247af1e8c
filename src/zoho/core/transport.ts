/**
 * The client's one HTTP transport: axios with no redirects (a redirect would carry the token or
 * the client secret to another host) and no proxy lookup from the environment, every status
 * answered rather than thrown.
 *
 * axios is loaded on the first request, not when Node-RED registers the nodes: it costs a
 * Node-RED whose flows hold no Zoho node (or only idle ones) several MB of resident memory for
 * nothing (issue 19: the startup bench, bench/startup.ts, measures it).
 */
import type { AxiosInstance } from 'axios';

let shared: Promise<AxiosInstance> | undefined;

/** The transport, created once per process; the first call loads axios. */
export function transport(): Promise<AxiosInstance> {
  shared ??= import('axios').then(({ default: axios }) =>
    axios.create({ maxRedirects: 0, validateStatus: () => true, proxy: false }),
  );
  return shared;
}
