/**
 * Editor properties of a crm-watch-in node watching Leads, for the node tests and the
 * reliability suite: webhook mode pointed at the test runtime's HTTP node server, poll mode
 * every 0.1 s. `extra` overrides any of them.
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
