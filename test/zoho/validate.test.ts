import vm from 'node:vm';
import assert from 'node:assert/strict';
import {
  isPlainObject,
  checkDateTime,
  checkPositiveInt,
  checkRecordId,
  checkRecordIds,
  toZohoDateTime,
} from '../../src/zoho/core/validate';
import {
  checkFieldNames,
  checkLookupFields,
  checkModule,
  checkRecord,
  checkRecords,
} from '../../src/zoho/crm/validate';
import { ZohoError } from '../../src/zoho/core/errors';

function refuses(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ZohoError, 'a ZohoError');
    assert.equal(e.code, 'INVALID_INPUT');
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe('validate', () => {
  it('accepts module API names and refuses anything else', () => {
    for (const ok of ['Leads', 'Custom_Module1', 'a', 'A'.repeat(50)])
      assert.equal(checkModule(ok), ok);
    for (const bad of [
      '',
      '1Leads',
      '_x',
      'Leads/../x',
      'Le ads',
      'Leads?x=1',
      'A'.repeat(51),
      'Lé',
      5,
      null,
      undefined,
      {},
    ]) {
      refuses(() => checkModule(bad));
    }
    refuses(() => checkModule(undefined), /No module/);
  });

  it('accepts Zoho record ids (digits) and refuses paths, letters and inexact numbers', () => {
    assert.equal(checkRecordId('4150868000000224005'), '4150868000000224005');
    assert.equal(checkRecordId(12345), '12345');
    assert.equal(checkRecordId(4150868000000224005n), '4150868000000224005');
    for (const bad of [
      '',
      '12a',
      '../1',
      '1/2',
      ' 1',
      '1'.repeat(20),
      '-1',
      '1.5',
      Number('4150868000000224005'),
      1.5,
      -2,
      NaN,
      {},
      [],
    ]) {
      refuses(() => checkRecordId(bad));
    }
    refuses(() => checkRecordId(Number('4150868000000224005')), /as strings/);
  });

  it('takes ids as array or comma list, refuses empty and says which item is bad', () => {
    assert.deepEqual(checkRecordIds('1, 2,3'), ['1', '2', '3']);
    assert.deepEqual(checkRecordIds(['7', 8]), ['7', '8']);
    assert.deepEqual(checkRecordIds('9'), ['9']);
    refuses(() => checkRecordIds([]), /No record ids/);
    refuses(() => checkRecordIds(''), /No record ids/);
    refuses(() => checkRecordIds(['1', 'x']), /Item 1/);
  });

  it('refuses records that are not plain objects', () => {
    assert.deepEqual(checkRecord({ a: 1 }), { a: 1 });
    for (const bad of [null, 'x', 3, [], Buffer.from('x'), new Date(), true])
      refuses(() => checkRecord(bad));
    assert.deepEqual(checkRecords({ a: 1 }), [{ a: 1 }]);
    assert.equal(checkRecords([{ a: 1 }, { b: 2 }]).length, 2);
    refuses(() => checkRecords([]), /empty/);
    refuses(() => checkRecords(undefined), /No records/);
    refuses(() => checkRecords([{ a: 1 }, 'oops']), /Record 1 is the string "oops"/);
  });

  it('refuses a plain string in a lookup field when metadata says lookup', () => {
    const meta = [
      { api_name: 'Account_Name', data_type: 'lookup' },
      { api_name: 'Owner', data_type: 'ownerlookup' },
      { api_name: 'Last_Name', data_type: 'text' },
    ];
    checkLookupFields([{ Account_Name: { id: '1' }, Last_Name: 'x', Owner: null }], meta);
    refuses(
      () => checkLookupFields([{ Last_Name: 'a' }, { Account_Name: 'Zylker' }], meta),
      /Record 1: Account_Name is a lookup field.*"id"/,
    );
    refuses(() => checkLookupFields([{ Owner: '123' }], meta), /Owner is a lookup/);
    refuses(() => checkLookupFields([{ Owner: ['123'] }], meta), /Owner is a lookup/);
    checkLookupFields([{ Account_Name: 'x' }], []);
  });

  it('checks field names, positive integers and date-times', () => {
    assert.deepEqual(checkFieldNames('Last_Name, Email'), ['Last_Name', 'Email']);
    assert.deepEqual(checkFieldNames(['Account_Name.id', '$state']), ['Account_Name.id', '$state']);
    refuses(() => checkFieldNames('Last Name'));
    refuses(() => checkFieldNames('a,(b)'));
    refuses(() => checkFieldNames(3));
    assert.equal(checkPositiveInt('5', 'perPage', 200), 5);
    refuses(
      () => checkPositiveInt(201, 'perPage', 200),
      /perPage must be a whole number from 1 to 200/,
    );
    refuses(() => checkPositiveInt(0, 'page'));
    refuses(() => checkPositiveInt(1.5, 'page'));
    assert.equal(
      toZohoDateTime(new Date(Date.UTC(2024, 0, 31, 10, 0, 0))),
      '2024-01-31T10:00:00+00:00',
    );
    assert.equal(checkDateTime('2024-01-31T10:00:00+05:30', 'x'), '2024-01-31T10:00:00+05:30');
    assert.equal(checkDateTime('2024-01-31T10:00:00.123Z', 'x'), '2024-01-31T10:00:00+00:00');
    refuses(() => checkDateTime('yesterday', 'x'));
    refuses(() => checkDateTime('2024-01-31T10:00:00+05:30\r\nX-Evil: 1', 'x'));
    refuses(() => checkDateTime(new Date('nope'), 'x'));
  });
});

describe('isPlainObject across realms', () => {
  it('accepts objects made in another context (a Node-RED function node) and refuses class instances', () => {
    const foreign = vm.runInNewContext('({ Last_Name: "From a function node" })') as unknown;
    assert.equal(isPlainObject(foreign), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    class Sensor {
      reading = 1;
    }
    assert.equal(isPlainObject(new Sensor()), false);
    assert.equal(isPlainObject(new Date()), false);
    assert.equal(isPlainObject(vm.runInNewContext('new Date()')), false);
    assert.equal(isPlainObject([]), false);
  });
});
