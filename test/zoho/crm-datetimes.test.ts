/**
 * Date-times between the client and an org in another time zone: Zoho writes them in the org's
 * offset, the client writes Dates in UTC, and every comparison (COQL, search criteria,
 * If-Modified-Since) must be by instant. Run under each of ORG_TIME_ZONES.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { type CrmFamily, crmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { runCoql } from '../../src/zoho/crm/coql';
import { listRecords } from '../../src/zoho/crm/read';
import { searchRecords } from '../../src/zoho/crm/search';
import {
  ORG_TIME_ZONES,
  sandboxConnection,
  useSandbox,
  zoneOffsetMinutes as offsetOf,
} from '../helpers/sandbox';

const HOUR = 3_600_000;
/** 02:30 UTC: a local date one day off on either side of UTC in the zones tested. */
const T0 = Date.UTC(2026, 2, 1, 2, 30, 0);

for (const zone of ORG_TIME_ZONES) {
  describe(`crm date-times (org time zone ${zone.name})`, function () {
    let crm: CrmFamily;
    const sb = useSandbox({ creditLimit: 0 }, () => {
      crm = crmFamily({ timeZoneOffsetMinutes: zone.offsetMinutes });
      return [accountsFamily(), crm];
    });
    let conn: ZohoConnection;
    const names = (records: Array<Record<string, unknown>>) =>
      records.map((r) => String(r.Last_Name)).sort();

    beforeEach(() => {
      crm.store.clear();
      for (let i = 0; i < 3; i++) {
        crm.store.insert('Leads', [{ Last_Name: `L${i}` }], { time: T0 + i * HOUR });
      }
      conn = sandboxConnection(
        sb.sandbox,
        'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.org.READ',
      );
    });
    afterEach(() => conn.close());

    it("names the org's time zone by its offset and writes date-times in it", async () => {
      const org = await conn.request<{ org: Array<{ time_zone: string }> }>({
        method: 'GET',
        path: '/v8/org',
      });
      assert.equal(offsetOf(org.data.org[0].time_zone, T0), zone.offsetMinutes);
      const { records } = await listRecords(conn, 'Leads', {
        fields: ['Last_Name', 'Created_Time'],
      });
      const created = records.find((r) => r.Last_Name === 'L0')!.Created_Time as string;
      assert.equal(Date.parse(created), T0, created);
      const sign = zone.offsetMinutes < 0 ? '-' : '+';
      assert.ok(
        created.endsWith(zone.offsetMinutes === 0 ? '+00:00' : `${sign}${zone.name.slice(1)}`),
        created,
      );
    });

    it('COQL compares a bound Date by instant', async () => {
      const { rows } = await runCoql(
        conn,
        'select Last_Name from Leads where Created_Time >= :since',
        { params: { since: new Date(T0 + HOUR) } },
      );
      assert.deepEqual(names(rows), ['L1', 'L2']);
      const between = await runCoql(
        conn,
        'select Last_Name from Leads where Created_Time between :from and :to',
        { params: { from: new Date(T0 - 1000), to: new Date(T0 + HOUR - 1000) } },
      );
      assert.deepEqual(names(between.rows), ['L0']);
    });

    it('search criteria compare a Date by instant', async () => {
      const { records } = await searchRecords(conn, 'Leads', {
        criteria: { field: 'Created_Time', op: 'less_than', value: new Date(T0 + 2 * HOUR) },
      });
      assert.deepEqual(names(records), ['L0', 'L1']);
    });

    it('If-Modified-Since is an instant', async () => {
      const res = await listRecords(conn, 'Leads', {
        fields: ['Last_Name'],
        modifiedSince: new Date(T0 + 2 * HOUR - 1000),
      });
      assert.deepEqual(names(res.records), ['L2']);
    });
  });
}
