import assert from 'node:assert/strict';
import { CrmStore, ModuleRegistry, runCoql, standardModules } from '../../src/sandbox/crm/index';

function leads(n: number): CrmStore {
  const s = new CrmStore(new ModuleRegistry(standardModules()));
  s.insert(
    'Leads',
    Array.from({ length: n }, (_, i) => ({ Last_Name: `L${i}`, Company: i % 3 ? 'A' : 'B' })),
  );
  return s;
}

const names = (s: CrmStore, q: string): string[] =>
  runCoql(s, q).data.map((r) => String(r.Last_Name));

describe('COQL paging over the store order (sandbox)', () => {
  const q = "select Last_Name from Leads where Company = 'A' order by id";

  it('pages asked out of order give the rows one full sort would', () => {
    const s = leads(1000);
    const whole = s
      .all('Leads')
      .filter((r) => r.data.Company === 'A')
      .map((r) => String(r.data.Last_Name));
    const pages = [4, 0, 3, 1, 2].map((i) => ({
      i,
      rows: names(s, `${q} limit ${i * 150}, 150`),
    }));
    pages.sort((a, b) => a.i - b.i);
    assert.deepEqual(
      pages.flatMap((p) => p.rows),
      whole.slice(0, 750),
    );
    const desc = names(s, `${q.replace('order by id', 'order by id desc')} limit 10 offset 5`);
    assert.deepEqual(desc, [...whole].reverse().slice(5, 15));
  });

  it('a write between two pages shows in the next page', () => {
    const s = leads(100);
    const first = runCoql(s, `${q} limit 0, 10`);
    assert.equal(first.info.more_records, true);
    // The 11th match leaves the set; the 12th takes its place on page two.
    const eleventh = s.all('Leads').filter((r) => r.data.Company === 'A')[10];
    s.update('Leads', eleventh.id, { Company: 'B' });
    const second = names(s, `${q} limit 10, 10`);
    assert.ok(!second.includes(String(eleventh.data.Last_Name)));
    assert.equal(
      second[0],
      s.all('Leads').filter((r) => r.data.Company === 'A')[10].data.Last_Name,
    );
    s.remove('Leads', [s.all('Leads').filter((r) => r.data.Company === 'A')[10].id]);
    s.insert('Leads', [{ Last_Name: 'late', Company: 'A' }]);
    const tail = names(s, `${q} limit 2000`);
    assert.equal(tail.length, s.all('Leads').filter((r) => r.data.Company === 'A').length);
    assert.equal(tail[tail.length - 1], 'late');
  });

  it('more_records is false on the last full page', () => {
    const s = leads(30);
    const matches = s.all('Leads').filter((r) => r.data.Company === 'A').length;
    const last = runCoql(s, `${q} limit ${matches - 5}, 5`);
    assert.equal(last.data.length, 5);
    assert.equal(last.info.more_records, false);
  });
});
