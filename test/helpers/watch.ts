/**
 * Editor properties of a crm-watch-in node watching Leads, for the node tests and the
 * reliability suite: webhook mode pointed at the test runtime's HTTP node server, poll mode
 * every 0.1 s; and of a books-watch-in node polling invoices and contacts every 0.1 s. `extra`
 * overrides any of them.
 */
import { httpNodeUrl } from './red';

export const webhookProps = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mode: 'webhook',
  modules: 'Leads',
  onCreate: true,
  onEdit: true,
  onDelete: true,
  publicUrl: httpNodeUrl(''),
  publicUrlType: 'str',
  ...extra,
});

export const pollProps = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mode: 'poll',
  modules: 'Leads',
  onCreate: true,
  onEdit: true,
  onDelete: false,
  interval: '0.1',
  ...extra,
});

export const booksWatchProps = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  entities: 'invoices,contacts',
  onCreated: true,
  onUpdated: true,
  onStatus: true,
  interval: '0.1',
  rateLimit: 10_000,
  ...extra,
});
