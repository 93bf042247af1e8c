/**
 * The field filter's client half: checks of the filter (param watchFields, nothing sent), Zoho's
 * notification_condition shape, and FieldMemory's bound: a record pushed out past the cap
 * counts every watched field as changed at its next edit, so the edit is sent, not lost.
 */
import assert from 'node:assert/strict';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  FieldMemory,
  checkWatchFields,
  notificationConditions,
} from '../../src/zoho/crm/watch-fields';

const inputError = (param: string, message: RegExp) => (err: unknown) =>
  err instanceof ZohoError &&
  err.kind === 'input' &&
  err.param === param &&
  message.test(err.message);

describe('watch fields (client)', () => {
  it('checks the filter against the watched modules', () => {
    assert.deepEqual(checkWatchFields({ Deals: ['Stage', 'Stage', 'Amount'] }, ['Deals']), {
      Deals: ['Stage', 'Amount'],
    });
    assert.throws(
      () => checkWatchFields({ Leads: ['Email'] }, ['Deals']),
      inputError('watchFields', /not one of the watched/),
    );
    assert.throws(
      () => checkWatchFields({ Deals: ['no spaces'] }, ['Deals']),
      inputError('watchFields', /field API name/),
    );
    const many = Array.from({ length: 48 }, (_, i) => `F${i}`);
    assert.throws(
      () => checkWatchFields({ Deals: many }, ['Deals']),
      inputError('watchFields', /at most 47/),
    );
  });

  it("builds Zoho's notification_condition, one field_selection per module", () => {
    assert.deepEqual(notificationConditions({ Deals: ['Stage', 'Amount'] }), [
      {
        type: 'field_selection',
        module: { api_name: 'Deals' },
        field_selection: {
          group_operator: 'or',
          group: [{ field: { api_name: 'Stage' } }, { field: { api_name: 'Amount' } }],
        },
      },
    ]);
  });

  it('tells the watched fields an edit changed; lookups compare by id', () => {
    const m = new FieldMemory(['Stage', 'Owner']);
    m.remember({ id: '1', Stage: 'New', Owner: { id: '9', name: 'Ann' } });
    assert.deepEqual(m.changed({ id: '1', Stage: 'New', Owner: { id: '9', name: 'Ann B.' } }), {});
    assert.deepEqual(m.changed({ id: '1', Stage: 'Won', Owner: { id: '9' } }), { Stage: 'Won' });
    assert.deepEqual(m.changed({ id: '1', Stage: 'Won', Owner: null }), { Owner: null });
  });

  it('stays within its cap, forgets the least recently seen, and then counts an edit as changed', () => {
    const m = new FieldMemory(['Stage'], [], 3);
    for (const id of ['1', '2', '3', '4']) m.remember({ id, Stage: 'New' });
    assert.equal(m.size, 3);
    assert.equal(m.evicted, 1);
    assert.deepEqual(m.changed({ id: '1', Stage: 'New' }), { Stage: 'New' }, 'forgotten: sent');
    assert.deepEqual(m.changed({ id: '4', Stage: 'New' }), {}, 'remembered: dropped');
    // Saved and loaded again (the checkpoint), order and bound kept.
    const again = new FieldMemory(['Stage'], m.save(), 2);
    assert.deepEqual(
      again.save().map(([id]) => id),
      ['1', '4'],
    );
  });
});
