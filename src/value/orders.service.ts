import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Identity } from '../../channels/contract';
import type { ContactService } from '../contacts/contact.service';
import { identityKey, normalizeIdentity } from '../contacts/identity';
import { isDuplicateKey } from '../db/models';
import { DeskError } from '../tickets/desk.errors';
import type { mongo } from 'mongoose';
import type { OrderDoc, OrderModel } from './orders.model';

const Trimmed = (max: number) => z.string().trim().min(1).max(max);
/** ISO 8601 with a time zone (`2026-03-01T10:00:00Z`, `…+08:00`) or a plain date (read as UTC midnight). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const OrderedAt = z
  .string()
  .trim()
  .refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s)), { message: 'an ISO 8601 date or date-time with a zone', params: { code: 'invalid_date' } })
  .transform((s) => new Date(s));

/** One order as the API and each CSV row give it. The customer is named by at least one identity. */
export const OrderInputSchema = z
  .object({
    orderId: Trimmed(120),
    email: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d ()./-]{5,30}$/, 'a phone number (digits, +, spaces, dashes)')
      .optional(),
    externalId: Trimmed(200).optional(),
    name: z.string().trim().max(200).optional(),
    amount: z.number().finite().min(0).max(1e10),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, 'a 3-letter currency code (ISO 4217)'),
    orderedAt: OrderedAt,
  })
  .superRefine((o, ctx) => {
    if (!o.email && !o.phone && !o.externalId) {
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'name the customer by email, phone or externalId', params: { code: 'missing' } });
    }
    // Refinements run even when a field failed (zod 4): check the date only once it is one.
    if (o.orderedAt instanceof Date && o.orderedAt.getTime() > Date.now() + 86_400_000) {
      ctx.addIssue({ code: 'custom', path: ['orderedAt'], message: 'the order date is in the future', params: { code: 'in_future' } });
    }
  });
export type OrderInput = z.output<typeof OrderInputSchema>;

/** CSV header names (case and spaces/dashes ignored) → the API's field names. */
const CSV_COLUMNS: Record<string, keyof z.input<typeof OrderInputSchema>> = {
  order_id: 'orderId',
  email: 'email',
  phone: 'phone',
  external_id: 'externalId',
  name: 'name',
  amount: 'amount',
  currency: 'currency',
  ordered_at: 'orderedAt',
};
export const CSV_COLUMN_NAMES = Object.keys(CSV_COLUMNS);
const REQUIRED_COLUMNS = ['order_id', 'amount', 'currency', 'ordered_at'];
const columnKey = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');

export interface RowError {
  /** Data row, 1 = the first row under the header. */
  row: number;
  field: string;
  code: string;
  message: string;
}
export interface ImportReport {
  dryRun: boolean;
  rows: number;
  /** Valid rows (a dry run: rows that would be imported or are already there). */
  valid: number;
  imported: number;
  /** Valid rows whose order id was already recorded (or repeated earlier in the file): nothing changes. */
  duplicates: number;
  invalid: number;
  errors: RowError[];
  /** The first rows as read, with their errors (for the console's preview). */
  preview: Array<{ row: number; values: Record<string, string>; errors: RowError[] }>;
}

const MAX_ROWS = 50_000;
const PREVIEW_ROWS = 10;
const INSERT_BATCH = 500;

function identitiesOf(o: OrderInput): Identity[] {
  const out: Identity[] = [];
  if (o.email) out.push(normalizeIdentity({ kind: 'email', value: o.email }));
  if (o.phone) out.push(normalizeIdentity({ kind: 'phone', value: o.phone }));
  if (o.externalId) out.push(normalizeIdentity({ kind: 'external', value: o.externalId }));
  return out.filter((i) => i.value !== '');
}

export interface OrdersDeps {
  Order: OrderModel;
  contacts: ContactService;
}

/**
 * Customers' purchases, by API or CSV. An order names its customer by email, phone or
 * external id; a customer nobody knows yet gets a profile (a purchase makes a customer, and
 * their first message later finds the same profile by the same identity). The order id is
 * the primary key: recording an order twice is a no-op, whatever the second copy says.
 */
export function createOrderService(deps: OrdersDeps) {
  const { Order, contacts } = deps;
  const orders = Order.collection as unknown as mongo.Collection<OrderDoc>;

  async function contactFor(o: OrderInput, cache: Map<string, OrderDoc['contact']>) {
    const identities = identitiesOf(o);
    const key = identities.map(identityKey).join('|');
    const known = cache.get(key);
    if (known) return { contact: known, identity: identities[0]! };
    const c = await contacts.resolve({ identities, name: o.name || undefined });
    cache.set(key, c._id);
    return { contact: c._id, identity: identities[0]! };
  }

  const docOf = (o: OrderInput, contact: OrderDoc['contact'], identity: Identity, source: OrderDoc['source']): OrderDoc => ({
    _id: o.orderId,
    contact,
    identity: { kind: identity.kind, value: identity.value },
    amount: o.amount,
    currency: o.currency,
    orderedAt: o.orderedAt,
    source,
    createdAt: new Date(),
  });

  /** Inserts, ignoring order ids already there; answers how many were new. */
  async function insertNew(docs: OrderDoc[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < docs.length; i += INSERT_BATCH) {
      const batch = docs.slice(i, i + INSERT_BATCH);
      try {
        inserted += (await orders.insertMany(batch, { ordered: false })).insertedCount;
      } catch (err) {
        type WriteError = { code?: number; err?: { code?: number } };
        const e = err as { writeErrors?: WriteError[] | WriteError; insertedCount?: number; result?: { insertedCount?: number } };
        const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
        if (!writeErrors.length || !writeErrors.every((w) => (w.code ?? w.err?.code) === 11000)) throw err;
        inserted += e.insertedCount ?? e.result?.insertedCount ?? batch.length - writeErrors.length;
      }
    }
    return inserted;
  }

  return {
    /** Records one order; `created` false when the order id was already recorded (nothing changed). */
    async record(input: OrderInput): Promise<{ order: OrderDoc; created: boolean }> {
      const { contact, identity } = await contactFor(input, new Map());
      const doc = docOf(input, contact, identity, 'api');
      try {
        await orders.insertOne(doc);
        return { order: doc, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await Order.findById(input.orderId).lean();
        if (!existing) throw err;
        return { order: existing, created: false };
      }
    },

    /**
     * A CSV of orders (a header row naming the columns, see {@link CSV_COLUMN_NAMES}): each row
     * checked like the API's body, bad rows reported by row, field and code, good ones recorded
     * (order ids already there are skipped). `dryRun`: checks and counts, records nothing.
     */
    async importCsv(csv: string, opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
      let records: Array<{ record: string[] }>;
      try {
        records = parse(csv, { info: true, skip_empty_lines: true, relax_column_count: true, bom: true, trim: true }) as unknown as Array<{ record: string[] }>;
      } catch (err) {
        throw new DeskError(422, `The file is not readable CSV: ${err instanceof Error ? err.message : String(err)}`, [{ field: 'csv', message: 'not readable CSV', code: 'invalid_csv' }]);
      }
      const header = (records.shift()?.record ?? []).map(columnKey);
      const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
      if (!header.some((h) => ['email', 'phone', 'external_id'].includes(h))) missing.push('email|phone|external_id');
      if (missing.length) {
        throw new DeskError(422, `The header row lacks the column(s) ${missing.join(', ')}.`, missing.map((c) => ({ field: `csv.${c}`, message: 'missing column', code: 'missing_column' })));
      }
      if (records.length > MAX_ROWS) throw new DeskError(422, `At most ${MAX_ROWS} rows per file.`, [{ field: 'csv', message: 'too many rows', code: 'too_big' }]);

      const errors: RowError[] = [];
      const preview: ImportReport['preview'] = [];
      const valid: Array<{ row: number; order: OrderInput }> = [];
      records.forEach(({ record }, i) => {
        const row = i + 1;
        const values: Record<string, string> = {};
        const input: Record<string, unknown> = {};
        header.forEach((h, c) => {
          const v = record[c] ?? '';
          values[h] = v;
          const field = CSV_COLUMNS[h];
          if (!field || v === '') return;
          input[field] = field === 'amount' ? (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v) : v;
        });
        const rowErrors: RowError[] = [];
        if (record.length !== header.length) rowErrors.push({ row, field: '(row)', code: 'column_count', message: `${record.length} fields, the header has ${header.length}` });
        const parsed = OrderInputSchema.safeParse(input);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const field = String(issue.path[0] ?? '(row)');
            const own = issue.code === 'custom' ? (issue as { params?: { code?: unknown } }).params?.code : undefined;
            const code = issue.path[0] !== undefined && input[field] === undefined && field !== 'customer' ? 'missing' : typeof own === 'string' ? own : issue.code;
            rowErrors.push({ row, field, code, message: issue.message });
          }
        } else if (!rowErrors.length) valid.push({ row, order: parsed.data });
        // One error per field (the first check that failed).
        const unique = rowErrors.filter((e, n) => rowErrors.findIndex((x) => x.field === e.field) === n);
        rowErrors.splice(0, rowErrors.length, ...unique);
        errors.push(...rowErrors);
        if (preview.length < PREVIEW_ROWS) preview.push({ row, values, errors: rowErrors });
      });

      // An order id repeated within the file: the first row counts, the others are duplicates.
      const seen = new Set<string>();
      const unique = valid.filter((v) => !seen.has(v.order.orderId) && seen.add(v.order.orderId));
      const repeats = valid.length - unique.length;
      const invalidRows = new Set(errors.map((e) => e.row)).size;
      const base = { rows: records.length, valid: valid.length, invalid: invalidRows, errors, preview };

      if (opts.dryRun) {
        let existing = 0;
        for (let i = 0; i < unique.length; i += INSERT_BATCH) {
          existing += await Order.countDocuments({ _id: { $in: unique.slice(i, i + INSERT_BATCH).map((v) => v.order.orderId) } });
        }
        return { dryRun: true, ...base, imported: 0, duplicates: repeats + existing };
      }
      const cache = new Map<string, OrderDoc['contact']>();
      const docs: OrderDoc[] = [];
      for (const { order } of unique) {
        const { contact, identity } = await contactFor(order, cache);
        docs.push(docOf(order, contact, identity, 'import'));
      }
      const imported = await insertNew(docs);
      return { dryRun: false, ...base, imported, duplicates: valid.length - imported };
    },

    /** A customer's orders summary: count, total in `currency` (through `rates`), last order, the latest few. */
    async summary(contactIds: OrderDoc['contact'][], money: { currency: string; rates: Record<string, number> }) {
      const orders = await Order.find({ contact: { $in: contactIds } }).sort({ orderedAt: -1 }).lean();
      let total = 0;
      let unconverted = 0;
      for (const o of orders) {
        const rate = o.currency === money.currency ? 1 : money.rates[o.currency];
        if (rate === undefined) unconverted += 1;
        else total += o.amount * rate;
      }
      return { count: orders.length, total: Math.round(total * 100) / 100, currency: money.currency, unconverted, lastOrderAt: orders[0]?.orderedAt ?? null, latest: orders.slice(0, 5) };
    },
  };
}
export type OrderService = ReturnType<typeof createOrderService>;
