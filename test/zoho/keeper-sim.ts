/**
 * Runs a ChannelKeeper against a stub Zoho that answers every register/renew with the expiry
 * `answer` gives, on a FakeClock (sleeps return at once and move time), for `hours` of
 * simulated time: the keeper's calls per simulated hour.
 */
import { ChannelKeeper, KeeperOptions } from '../../src/zoho/crm/channel-keeper';
import { FakeClock } from '../helpers/clock';
import { StubRequester } from './stub-requester';

const HOUR = 3_600_000;

/** Zoho's answer to actions/watch with the given channel_expiry text. */
function watchAnswer(expiry: string) {
  const events = [{ channel_expiry: expiry, resource_name: 'Leads' }];
  return { data: { watch: [{ code: 'SUCCESS', status: 'success', details: { events } }] } };
}

export async function keeperCallsPerHour(
  answer: (now: number) => string,
  hours: number,
  options: KeeperOptions = {},
): Promise<number> {
  const clock = new FakeClock();
  const zoho = new StubRequester(() => watchAnswer(answer(clock.now())));
  const spec = {
    channelId: '1000',
    events: ['Leads.all'],
    notifyUrl: 'https://example.com/hook',
    token: 't',
  };
  const keeper = new ChannelKeeper(() => zoho, spec, { clock, ...options });
  const start = clock.monotonic();
  keeper.start();
  // A runaway keeper is stopped by the call cap, not by the test's timeout.
  while (clock.monotonic() - start < hours * HOUR && zoho.calls.length < 100_000) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  await keeper.stop(10);
  const calls = zoho.calls.filter((c) => c.method !== 'DELETE').length;
  return calls / hours;
}

/** Expiries a hostile or broken Zoho might answer, as functions of the current wall time. */
export const HOSTILE_EXPIRIES: Record<string, (now: number) => string> = {
  year2099: () => '2099-12-31T23:59:59+00:00',
  past: (now) => new Date(now - HOUR).toISOString(),
  oneSecond: (now) => new Date(now + 1000).toISOString(),
};

/** What a well-behaved Zoho answers: the week asked for (the keeper's default lifetime). */
export const NORMAL_EXPIRY = (now: number): string =>
  new Date(now + 7 * 24 * HOUR - 60_000).toISOString();
