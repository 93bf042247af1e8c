/**
 * Issue 13 item 7: a redeploy in the middle of a large create. Each trial closes the flow at a
 * different moment of a 1,500-record write and checks the node told what happened: a warning
 * log and a WRITE_INTERRUPTED error whose counts match what the emulator holds.
 */
import assert from 'node:assert/strict';
import { unloadFlow } from '../helpers/red';
import { AnyMsg, crmHarness, startSlowCreate } from '../nodes/crm-harness';
import { figure } from './figures';

const RECORDS = 1500;
const CLOSE_AFTER_MS = [30, 120, 250, 420, 650, 900];

describe('reliability: redeploy mid-batch', function () {
  this.timeout(120_000);
  const h = crmHarness('crm-record');

  /** One trial: true when records reached Zoho and the node's report does not account for them. */
  async function unreportedPartialWrite(closeAfterMs: number): Promise<boolean> {
    const { complete, warnings } = await startSlowCreate(h, RECORDS, 150);
    await new Promise((r) => setTimeout(r, closeAfterMs));
    await unloadFlow();
    for (let i = 0; i < 1500 && complete.callCount < 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    const written = h.crm.store.count('Leads');
    const err = complete.firstCall?.args[1] as { shape?: AnyMsg } | undefined;
    const details = err?.shape?.details as AnyMsg | undefined;
    if (written === RECORDS) return complete.callCount !== 1; // finished before the close
    const reported =
      complete.callCount === 1 &&
      err?.shape?.code === 'WRITE_INTERRUPTED' &&
      details?.written === written &&
      details?.notWritten === RECORDS - written &&
      warnings.length === 1;
    return written > 0 && !reported;
  }

  it('every partial write is reported with its counts (closed at 6 moments)', async () => {
    let unreported = 0;
    let partial = 0;
    for (const ms of CLOSE_AFTER_MS) {
      if (await unreportedPartialWrite(ms)) unreported++;
      const written = h.crm.store.count('Leads');
      if (written > 0 && written < RECORDS) partial++;
      h.crm.store.clear();
    }
    figure('attack.redeploy_mid_batch.trials', CLOSE_AFTER_MS.length);
    figure('attack.redeploy_mid_batch.partial_writes', partial);
    figure('attack.redeploy_mid_batch.unreported', unreported);
    assert.ok(partial > 0, 'the trials cut some writes');
    assert.equal(unreported, 0);
  });
});
