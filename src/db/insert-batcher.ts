import { mongo, type Model } from 'mongoose';

/**
 * Group commit for single-document inserts: `insertOne(Model, doc)` stores what
 * `Model.create(doc)` stores (cast, defaults, validation, timestamps, version key, the same
 * validation and duplicate-key errors) and resolves with the stored document as a plain
 * object, but inserts that arrive while an insert into the same collection is on its way to
 * the database are sent together as one unordered `insertMany` when it returns.
 *
 * Documents are prepared with the model's static helpers (validate, which casts; defaults;
 * timestamps) instead of being built as mongoose documents: on the ingest path that halves
 * what an insert costs the hub's CPU, and nothing needs a document's methods afterwards.
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
  doc: Record<string, unknown>;
  resolve(d: T): void;
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

/** A failed document's WriteError (duplicate key, …) in an unordered insertMany, as the error `create` throws. */
function asFailure(r: unknown): Error {
  if (r instanceof Error) return r;
  const w = (typeof r === 'object' && r !== null ? r : {}) as { code?: unknown; errmsg?: unknown };
  const message = typeof w.errmsg === 'string' ? w.errmsg : `insert failed${w.code === undefined ? '' : ` with code ${String(w.code)}`}`;
  return new mongo.MongoServerError({ message, errmsg: message, code: w.code });
}

interface Plain {
  toObject(): unknown;
}

interface SchemaTimestamps {
  $timestamps?: { createdAt?: string | null; updatedAt?: string | null };
}

/**
 * What `create` would store: cast and validated (a ValidationError otherwise), defaults, the
 * timestamps (createdAt kept when given; updatedAt = createdAt on a new document) and version 0.
 */
async function prepare<T>(model: Model<T>, doc: Record<string, unknown>): Promise<Record<string, unknown>> {
  const schema = model.schema;
  const cast = (await model.validate({ ...doc })) as Record<string, unknown>;
  // Casting leaves null values out; `create` stores them.
  for (const [path, value] of Object.entries(doc)) {
    if (value === null && cast[path] === undefined && schema.path(path)) cast[path] = null;
  }
  model.applyDefaults(cast);
  const ts = (schema as unknown as SchemaTimestamps).$timestamps;
  if (ts) {
    const now = new Date();
    if (ts.createdAt && cast[ts.createdAt] == null) cast[ts.createdAt] = now;
    if (ts.updatedAt && cast[ts.updatedAt] == null) cast[ts.updatedAt] = (ts.createdAt ? cast[ts.createdAt] : null) ?? now;
  }
  const versionKey = schema.options.versionKey;
  if (typeof versionKey === 'string' && cast[versionKey] === undefined) cast[versionKey] = 0;
  // Arrays and subdocuments come back as mongoose types: plain values, as `create` sends them.
  for (const [path, value] of Object.entries(cast)) {
    if (typeof value === 'object' && value !== null && typeof (value as Partial<Plain>).toObject === 'function') cast[path] = (value as Plain).toObject();
  }
  return cast;
}

async function flush<T>(model: Model<T>, batch: Batch<T>): Promise<void> {
  const items = batch.queue.splice(0, MAX_BATCH);
  batch.inFlight++;
  try {
    // Validation first: an invalid document fails alone and is not sent.
    const prepared = await Promise.all(
      items.map((i) =>
        prepare(model, i.doc).catch((err: unknown) => {
          i.reject(err);
          return null;
        }),
      ),
    );
    const valid = items.flatMap((item, n) => (prepared[n] ? [{ item, doc: prepared[n] }] : []));
    if (valid.length === 0) return;
    let failures = new Map<number, unknown>();
    try {
      await model.insertMany(
        valid.map((v) => v.doc),
        { ordered: false, lean: true },
      );
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index: number; err?: unknown }> } | null)?.writeErrors;
      if (!Array.isArray(writeErrors)) {
        for (const v of valid) v.item.reject(err);
        return;
      }
      failures = new Map(writeErrors.map((w) => [w.index, w.err ?? w]));
    }
    valid.forEach((v, n) => {
      if (failures.has(n)) v.item.reject(asFailure(failures.get(n)));
      else v.item.resolve(v.doc as T);
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

/**
 * Inserts one document like `Model.create(doc)`, sharing the database command with concurrent
 * inserts; resolves with the stored document (plain object).
 */
export function insertOne<T>(model: Model<T>, doc: object): Promise<T> {
  let batch = batches.get(model) as Batch<T> | undefined;
  if (!batch) {
    batch = { queue: [], inFlight: 0, scheduled: false };
    batches.set(model, batch as Batch<unknown>);
  }
  const b = batch;
  return new Promise<T>((resolve, reject) => {
    b.queue.push({ doc: doc as Record<string, unknown>, resolve, reject });
    next(model, b);
  });
}
