import { MongoClient, ObjectId, type Document } from 'mongodb';
import { databaseUri, serviceUrls, uniqueName } from '../support/env';

/**
 * The FerretDB the tests, the bench and `npm start` run (built by `npm run services:install`)
 * finds a document by `_id` through its `_id` index, as MongoDB does. Upstream v1.24.2 on
 * SQLite queries an expression its index is not built on, so every lookup, update and delete
 * by `_id` reads the whole collection and slows down as it grows. The plan FerretDB reports
 * for a find is SQLite's own (EXPLAIN QUERY PLAN).
 */
test('a find by _id (string or ObjectId) is served from the _id index, not a scan of the collection', async () => {
  const client = await MongoClient.connect(databaseUri(serviceUrls().mongo, uniqueName('idindex')));
  try {
    const db = client.db();
    const strings = db.collection<{ _id: string; n: number }>('by_string');
    const oids = db.collection<{ _id: ObjectId; n: number }>('by_oid');
    await strings.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `k${n}`, n })));
    const ids = Array.from({ length: 50 }, () => new ObjectId());
    await oids.insertMany(ids.map((_id, n) => ({ _id, n })));

    const plan = async (collection: string, filter: Document): Promise<string> => {
      const res = await db.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' });
      return JSON.stringify(res.queryPlanner);
    };
    for (const [collection, filter] of [
      ['by_string', { _id: 'k7' }],
      ['by_oid', { _id: ids[7] }],
    ] as const) {
      const p = await plan(collection, filter);
      expect(p).toMatch(/SEARCH \S+ USING INDEX/);
      expect(p).not.toMatch(/SCAN/);
    }
    // And the answers are the same documents.
    expect(await strings.findOne({ _id: 'k7' })).toEqual({ _id: 'k7', n: 7 });
    expect(await oids.findOne({ _id: ids[7]! })).toEqual({ _id: ids[7], n: 7 });
    await strings.updateOne({ _id: 'k7' }, { $inc: { n: 100 } });
    expect(await strings.findOne({ _id: 'k7' })).toEqual({ _id: 'k7', n: 107 });
    await strings.deleteOne({ _id: 'k8' });
    expect(await strings.countDocuments()).toBe(49);
    await db.dropDatabase();
  } finally {
    await client.close();
  }
});
