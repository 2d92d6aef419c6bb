import { api, createUser, signInAdmin, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { startTestHub } from '../support/hub';

/**
 * Orders by API (idempotent by order id, problem+json field errors) and by CSV (per-row
 * errors by row, field and code; importing the same file again adds nothing).
 */
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;

beforeAll(async () => {
  hub = await startTestHub('value-orders');
  admin = await signInAdmin(hub);
  agent = await createUser(hub, admin, 'agent', []);
});
afterAll(async () => {
  await hub.stop();
});

interface ImportReport {
  dryRun: boolean;
  rows: number;
  valid: number;
  imported: number;
  duplicates: number;
  invalid: number;
  errors: Array<{ row: number; field: string; code: string }>;
  preview: Array<{ row: number; values: Record<string, string>; errors: unknown[] }>;
}

test('POST /orders records an order once, links it to the customer by identity, and names bad fields', async () => {
  const body = { orderId: 'A-1001', email: 'Li.Na@Example.CN', name: 'Li Na', amount: 199.5, currency: 'cny', orderedAt: '2026-05-01T10:00:00+08:00' };
  const first = await api<{ order: { id: string; contactId: string; currency: string; orderedAt: string }; created: boolean }>(hub, admin.token, 'POST', '/orders', body);
  expect(first.status).toBe(201);
  expect(first.body.created).toBe(true);
  expect(first.body.order).toMatchObject({ id: 'A-1001', currency: 'CNY', orderedAt: '2026-05-01T02:00:00.000Z' });
  const contact = await hub.models.Contact.findById(first.body.order.contactId).lean();
  expect(contact?.identities).toEqual([{ kind: 'email', value: 'li.na@example.cn' }]);
  expect(contact?.name).toBe('Li Na');

  // The same order id again, even with other figures: nothing changes.
  const again = await api<{ order: { amount: number }; created: boolean }>(hub, admin.token, 'POST', '/orders', { ...body, amount: 5 });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ created: false, order: { amount: 199.5 } });

  // A later message from that address finds the same customer.
  const second = await api<{ order: { contactId: string } }>(hub, admin.token, 'POST', '/orders', { ...body, orderId: 'A-1002', email: 'li.na@example.cn' });
  expect(second.body.order.contactId).toBe(first.body.order.contactId);

  const bad = await api<{ errors: Array<{ field: string; code: string }> }>(hub, admin.token, 'POST', '/orders', { orderId: 'A-1003', amount: -1, currency: 'euro', orderedAt: 'yesterday' });
  expect(bad.status).toBe(422);
  expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(bad.body.errors.map((e) => e.field).sort()).toEqual(['amount', 'currency', 'customer', 'orderedAt']);
  expect(bad.body.errors.find((e) => e.field === 'customer')?.code).toBe('missing');

  expect((await api(hub, agent.token, 'POST', '/orders', body)).status).toBe(403);
});

test('a 1,000-row CSV with 10 bad rows: 990 imported, the 10 reported by row and field; the same file again adds nothing', async () => {
  const lines = ['order_id,email,phone,external_id,amount,currency,ordered_at'];
  const bad = new Map<number, string>();
  for (let i = 1; i <= 1000; i++) {
    const customer = i % 150;
    let row = [`CSV-${i}`, `buyer${customer}@shop.example`, '', '', (10 + (i % 90)).toFixed(2), 'CNY', `2026-0${1 + (i % 9)}-1${i % 10}T08:00:00Z`];
    if (i % 100 === 7) {
      // Ten kinds of bad row, one each.
      const k = i / 100 - 0.07;
      const kind = Math.round(k);
      const faults: Array<[string, (r: string[]) => string[]]> = [
        ['amount', (r) => ((r[4] = 'lots'), r)],
        ['amount', (r) => ((r[4] = ''), r)],
        ['currency', (r) => ((r[5] = 'EURO'), r)],
        ['orderedAt', (r) => ((r[6] = '2026-13-45'), r)],
        ['orderedAt', (r) => ((r[6] = 'next tuesday'), r)],
        ['customer', (r) => ((r[1] = ''), r)],
        ['email', (r) => ((r[1] = 'not-an-email'), r)],
        ['orderId', (r) => ((r[0] = ''), r)],
        ['amount', (r) => ((r[4] = '-3'), r)],
        ['phone', (r) => ((r[2] = 'call me'), r)],
      ];
      const [field, fault] = faults[kind]!;
      row = fault(row);
      bad.set(i, field);
    }
    lines.push(row.join(','));
  }
  const csv = `${lines.join('\n')}\n`;

  const dry = await api<ImportReport>(hub, admin.token, 'POST', '/orders/import', { csv, dryRun: true });
  expect(dry.status).toBe(200);
  expect(dry.body).toMatchObject({ dryRun: true, rows: 1000, valid: 990, invalid: 10, imported: 0 });
  expect(dry.body.preview).toHaveLength(10);
  expect(dry.body.preview[6]).toMatchObject({ row: 7, values: { order_id: 'CSV-7', amount: 'lots' } });
  expect(dry.body.preview[6]!.errors).toEqual([expect.objectContaining({ row: 7, field: 'amount' })]);
  expect(await hub.models.Ticket.db.collection('orders').countDocuments({ _id: { $regex: '^CSV-' } } as never)).toBe(0);

  const res = await api<ImportReport>(hub, admin.token, 'POST', '/orders/import', { csv });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ dryRun: false, rows: 1000, valid: 990, imported: 990, duplicates: 0, invalid: 10 });
  expect(res.body.errors.map((e) => [e.row, e.field])).toEqual([...bad.entries()].map(([row, field]) => [row, field]));
  expect(res.body.errors.every((e) => typeof e.code === 'string' && e.code.length > 0)).toBe(true);
  expect(res.body.errors.find((e) => e.row === 107)).toMatchObject({ field: 'amount', code: 'missing' });
  expect(res.body.errors.find((e) => e.row === 507)).toMatchObject({ field: 'customer', code: 'missing' });
  const orders = hub.models.Ticket.db.collection('orders');
  expect(await orders.countDocuments({ source: 'import' })).toBe(990);
  // 150 customers, one profile each.
  expect(await hub.models.Contact.countDocuments({ 'identities.value': { $regex: '^buyer\\d+@shop\\.example$' } })).toBe(150);

  const repeat = await api<ImportReport>(hub, admin.token, 'POST', '/orders/import', { csv });
  expect(repeat.body).toMatchObject({ imported: 0, duplicates: 990, invalid: 10 });
  expect(await orders.countDocuments({ source: 'import' })).toBe(990);
  expect(await hub.models.Contact.countDocuments({ 'identities.value': { $regex: '^buyer\\d+@shop\\.example$' } })).toBe(150);
});

test('a file without the needed columns, or not CSV at all, is refused as a whole', async () => {
  const noCols = await api<{ errors: Array<{ field: string; code: string }> }>(hub, admin.token, 'POST', '/orders/import', { csv: 'id,total\n1,2\n' });
  expect(noCols.status).toBe(422);
  expect(noCols.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['csv.order_id', 'csv.amount', 'csv.currency', 'csv.ordered_at']));
  const broken = await api<{ errors: Array<{ field: string; code: string }> }>(hub, admin.token, 'POST', '/orders/import', { csv: 'order_id,email,amount,currency,ordered_at\n"1,a@b.c,2,CNY,2026-01-01\n' });
  expect(broken.status).toBe(422);
  expect(broken.body.errors[0]).toMatchObject({ field: 'csv', code: 'invalid_csv' });
});
