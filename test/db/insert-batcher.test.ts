import mongoose, { Schema, type Connection } from 'mongoose';
import { isDuplicateKey } from '../../src/db/models';
import { insertOne } from '../../src/db/insert-batcher';
import { databaseUri, serviceUrls, uniqueName } from '../support/env';

interface Row {
  _id: string;
  n: number;
  label: string;
  createdAt: Date;
}

let conn: Connection;
const RowSchema = new Schema<Row>({ _id: { type: String }, n: { type: Number, required: true, min: 0 }, label: { type: String, default: 'none' } }, { timestamps: { createdAt: true, updatedAt: false } });

beforeAll(async () => {
  conn = await mongoose.createConnection(databaseUri(serviceUrls().mongo, uniqueName('batch')), { monitorCommands: true }).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('insertOne (group commit of concurrent inserts)', () => {
  test('concurrent inserts each get their own outcome: stored with defaults, duplicate key, validation error', async () => {
    const Row = conn.model<Row>('rows', RowSchema);
    await Row.init();
    await insertOne(Row, { _id: 'taken', n: 1 });
    const commands: number[] = [];
    const client = conn.getClient();
    const onStart = (e: { commandName: string; command: { documents?: unknown[] } }) => {
      if (e.commandName === 'insert') commands.push(e.command.documents?.length ?? 0);
    };
    client.on('commandStarted', onStart);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i === 7 ? insertOne(Row, { _id: 'taken', n: 2 }) : i === 9 ? insertOne(Row, { _id: `r${i}`, n: -5 }) : insertOne(Row, { _id: `r${i}`, n: i }),
      ),
    );
    client.off('commandStarted', onStart);

    const dup = outcomes[7]!;
    expect(dup.status).toBe('rejected');
    expect(isDuplicateKey((dup as PromiseRejectedResult).reason)).toBe(true);
    const invalid = outcomes[9]!;
    expect(invalid.status).toBe('rejected');
    expect((invalid as PromiseRejectedResult).reason).toBeInstanceOf(mongoose.Error.ValidationError);
    const ok = outcomes.filter((o, i) => i !== 7 && i !== 9);
    expect(ok.every((o) => o.status === 'fulfilled')).toBe(true);
    const first = (outcomes[0] as PromiseFulfilledResult<{ _id: string; label: string }>).value;
    expect(first._id).toBe('r0');
    expect(first.label).toBe('none');

    // Every valid document is stored once, with its defaults and timestamp; the others are not.
    const stored = await Row.find({}).lean();
    expect(stored).toHaveLength(1 + 38);
    expect(stored.find((r) => r._id === 'taken')!.n).toBe(1);
    expect(stored.find((r) => r._id === 'r9')).toBeUndefined();
    expect(stored.every((r) => r.label === 'none' && r.createdAt instanceof Date)).toBe(true);
    // They shared database commands instead of one each.
    expect(commands.reduce((a, b) => a + b, 0)).toBe(39);
    expect(commands.length).toBeLessThan(10);
  });

  test('a lone insert leaves at once and resolves like create', async () => {
    const Row = conn.model<Row>('rows2', RowSchema);
    await Row.init();
    const doc = await insertOne(Row, { _id: 'alone', n: 3 });
    expect(doc).toMatchObject({ _id: 'alone', n: 3, label: 'none' });
    expect(doc.createdAt).toBeInstanceOf(Date);
    expect(await Row.findById('alone').lean()).toEqual({ _id: 'alone', n: 3, label: 'none', createdAt: doc.createdAt, __v: 0 });
    await expect(insertOne(Row, { _id: 'alone', n: 4 })).rejects.toMatchObject({ code: 11000 });
  });

  test('stores what create stores: casts, null defaults and explicit nulls, subdocument arrays, both timestamps, version', async () => {
    interface OrderShape {
      number: number;
      owner: mongoose.Types.ObjectId | null;
      note?: string | null;
      tags: string[];
      items: Array<{ sku: string; qty: number }>;
      sla: { dueAt: Date | null };
    }
    const Item = new Schema<{ sku: string; qty: number }>({ sku: { type: String, required: true }, qty: { type: Number, default: 1 } });
    const Order = conn.model<OrderShape>(
      'orders_like_create',
      new Schema<OrderShape>(
        {
          number: { type: Number, required: true },
          owner: { type: Schema.Types.ObjectId, default: null },
          note: { type: String },
          tags: { type: [String], default: [] },
          items: { type: [Item], default: [] },
          sla: { dueAt: { type: Date, default: null } },
        },
        { timestamps: true },
      ),
    );
    await Order.init();
    const input = { number: '42', note: null, items: [{ sku: 'lamp' }], placedAt: 'ignored: not in the schema' };
    const viaInsert = await insertOne(Order, input);
    const viaCreate = (await Order.create(input as unknown as OrderShape)).toObject();
    const stored = await Order.find({}).lean();
    expect(stored).toHaveLength(2);
    const comparable = (d: Record<string, unknown>) => {
      const { _id, createdAt, updatedAt, items, ...rest } = d;
      expect(_id).toBeDefined();
      expect(createdAt).toBeInstanceOf(Date);
      expect(updatedAt).toEqual(createdAt);
      return { ...rest, items: (items as Array<Record<string, unknown>>).map(({ _id: itemId, ...item }) => (expect(itemId).toBeDefined(), item)) };
    };
    const byId = (id: unknown) => stored.find((d) => d._id.equals(String(id))) as unknown as Record<string, unknown>;
    const [a, b] = [byId((viaInsert as unknown as { _id: unknown })._id), byId(viaCreate._id)];
    expect(comparable(a)).toEqual(comparable(b));
    expect(comparable(a)).toEqual({ number: 42, owner: null, note: null, tags: [], sla: { dueAt: null }, __v: 0, items: [{ sku: 'lamp', qty: 1 }] });
    // What it resolves with is what it stored.
    expect(comparable(viaInsert as unknown as Record<string, unknown>)).toEqual(comparable(a));
  });
});
