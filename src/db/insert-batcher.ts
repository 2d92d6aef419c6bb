import { Document, mongo, type HydratedDocument, type Model } from 'mongoose';

/**
 * Group commit for single-document inserts: `insertOne(Model, doc)` behaves like
 * `Model.create(doc)` (cast, defaults, validation, timestamps, the same duplicate-key error),
 * but inserts that arrive while an insert into the same collection is on its way to the
 * database are sent together as one unordered `insertMany` when it returns.
 *
 * With nothing else in flight an insert leaves at once (no added latency); under load the
 * batches grow by themselves. On FerretDB (SQLite) one statement carries most of the cost of
 * an insert, so a batch of 16 costs the database about what two single inserts do; on MongoDB
 * it saves the round trips.
 *
 * Each caller gets its own outcome: a duplicate key or a validation error rejects only the
 * insert it belongs to; a failure of the whole command (connection lost) rejects every insert
 * of that batch, exactly as their own `create` calls would have failed.
 */

interface Pending<T> {
  doc: object;
  resolve(d: HydratedDocument<T>): void;
  reject(err: unknown): void;
}

interface Batch<T> {
  queue: Array<Pending<T>>;
  inFlight: number;
  scheduled: boolean;
}

/** Most inserts one command carries; more wait for the next. */
const MAX_BATCH = 64;
/** Commands one collection has on their way at once; the next batch fills meanwhile. */
const MAX_IN_FLIGHT = 1;

const batches = new WeakMap<object, Batch<unknown>>();

interface UnorderedInsertFailure {
  results?: unknown[];
}

function outcomes(err: unknown): unknown[] | null {
  return typeof err === 'object' && err !== null && Array.isArray((err as UnorderedInsertFailure).results) ? (err as UnorderedInsertFailure).results! : null;
}

/**
 * A document's outcome in an unordered insertMany: the stored document, mongoose's validation
 * error, or the driver's WriteError (duplicate key, …), which is made the error `create` throws.
 */
function asFailure(r: unknown): Error | null {
  if (r instanceof Document) return null;
  if (r instanceof Error) return r;
  const w = (typeof r === 'object' && r !== null ? r : {}) as { code?: unknown; errmsg?: unknown };
  const message = typeof w.errmsg === 'string' ? w.errmsg : `insert failed${w.code === undefined ? '' : ` with code ${String(w.code)}`}`;
  return new mongo.MongoServerError({ message, errmsg: message, code: w.code });
}

async function flush<T>(model: Model<T>, batch: Batch<T>): Promise<void> {
  const items = batch.queue.splice(0, MAX_BATCH);
  batch.inFlight++;
  try {
    let results: unknown[] | null;
    try {
      const res = (await model.insertMany(
        items.map((i) => i.doc),
        { ordered: false, rawResult: true },
      )) as unknown as { mongoose?: { results?: unknown[] } };
      results = res.mongoose?.results ?? null;
    } catch (err) {
      results = outcomes(err);
      if (!results) {
        for (const i of items) i.reject(err);
        return;
      }
    }
    items.forEach((item, n) => {
      const r = results?.[n];
      const failure = asFailure(r);
      if (failure) item.reject(failure);
      else item.resolve(r as HydratedDocument<T>);
    });
  } catch (err) {
    // Never leave a caller waiting: whatever went wrong fails the inserts not yet settled.
    for (const i of items) i.reject(err);
  } finally {
    batch.inFlight--;
    next(model, batch);
  }
}

function next<T>(model: Model<T>, batch: Batch<T>): void {
  if (batch.queue.length === 0 || batch.scheduled || batch.inFlight >= MAX_IN_FLIGHT) return;
  batch.scheduled = true;
  // Inserts made in the same turn of the event loop leave together.
  setImmediate(() => {
    batch.scheduled = false;
    while (batch.queue.length > 0 && batch.inFlight < MAX_IN_FLIGHT) void flush(model, batch);
  });
}

/** Inserts one document like `Model.create(doc)`, sharing the database command with concurrent inserts. */
export function insertOne<T>(model: Model<T>, doc: object): Promise<HydratedDocument<T>> {
  let batch = batches.get(model) as Batch<T> | undefined;
  if (!batch) {
    batch = { queue: [], inFlight: 0, scheduled: false };
    batches.set(model, batch as Batch<unknown>);
  }
  const b = batch;
  return new Promise<HydratedDocument<T>>((resolve, reject) => {
    b.queue.push({ doc, resolve, reject });
    next(model, b);
  });
}
