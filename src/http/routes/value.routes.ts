import { z } from 'zod';
import { CSV_COLUMN_NAMES, OrderInputSchema, type OrderService } from '../../value/orders.service';
import type { SegmentService } from '../../value/segments.service';
import { ValueBusy, type ValueJobs } from '../../value/value.jobs';
import type { ValueService } from '../../value/value.service';
import { SegmentsKSchema, ValueSettingsSchema, type ValueSettingsStore } from '../../value/value-settings.store';
import { ContactValueSchema, ImportReportSchema, orderDto, OrderSchema, SegmentsSchema, ValueJobSchema } from '../dto';
import { HttpProblem } from '../problem';
import { Reply, type RouteTable } from '../route';
import { desk, ObjectIdString } from './tickets.routes';

export interface ValueRouteDeps {
  orders: OrderService;
  values: ValueService;
  segments: SegmentService;
  jobs: ValueJobs;
  settings: ValueSettingsStore;
}

const busy = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ValueBusy) throw new HttpProblem(409, 'Conflict', err.message);
    throw err;
  }
};

export function registerValueRoutes(t: RouteTable, deps: ValueRouteDeps): void {
  const { orders, values, segments, jobs, settings } = deps;

  t.route({
    method: 'post',
    path: '/api/v1/orders',
    summary: "Record a customer's order (idempotent by orderId: a repeat changes nothing and answers 200 with the stored order)",
    tags: ['value'],
    access: 'supervisor',
    body: OrderInputSchema,
    status: 201,
    response: z.object({ order: OrderSchema, created: z.boolean() }),
    async handler({ body }) {
      const r = await orders.record(body);
      const out = { order: orderDto(r.order), created: r.created };
      return r.created ? out : new Reply(200, out);
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/orders/import',
    summary: `Import orders from CSV (header row; columns ${CSV_COLUMN_NAMES.join(', ')}): bad rows reported by row, field and code, order ids already recorded skipped; dryRun checks without recording`,
    tags: ['value'],
    access: 'supervisor',
    body: z.object({ csv: z.string().min(1).max(50 * 1024 * 1024), dryRun: z.boolean().default(false) }),
    response: ImportReportSchema,
    async handler({ body }) {
      return desk(() => orders.importCsv(body.csv, { dryRun: body.dryRun }));
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/contacts/:id/value',
    summary: "A customer's value: tier (computed vs override), RFM scores, relationship stage with why, orders summary",
    tags: ['value', 'contacts'],
    access: 'signed-in',
    params: z.object({ id: ObjectIdString }),
    errors: [404],
    response: ContactValueSchema,
    async handler({ params }) {
      const found = await values.contactValue(params.id);
      if (!found) throw new HttpProblem(404, 'Not found', `No contact ${params.id}.`);
      const { value: v, orders: summary } = found;
      return {
        tier: found.contact.tier ?? null,
        computedTier: found.contact.computedTier ?? null,
        tierOverride: found.contact.tierOverride ?? null,
        stage: found.contact.stage ?? null,
        stageReason: v ? { code: v.stageReason.code, params: v.stageReason.params } : null,
        rfm: v?.rfm ?? null,
        recencyDays: v?.recencyDays ?? null,
        segment: v?.segment ?? null,
        computedAt: v?.computedAt.toISOString() ?? null,
        orders: { ...summary, lastOrderAt: summary.lastOrderAt?.toISOString() ?? null, latest: summary.latest.map(orderDto) },
      };
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/value/recompute',
    summary: 'Recompute RFM scores, tiers, stages and segments now, as a job (care: also open proactive care tickets, as the nightly run does)',
    tags: ['value'],
    access: 'supervisor',
    body: z.object({ care: z.boolean().default(false) }),
    status: 202,
    response: z.object({ jobId: z.string() }),
    async handler({ body }) {
      return { jobId: await jobs.enqueue({ care: body.care, trigger: 'on-demand' }) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/value/jobs/:id',
    summary: 'State of a value job, with its result once completed',
    tags: ['value'],
    access: 'supervisor',
    params: z.object({ id: z.string().min(1).max(64) }),
    errors: [404],
    response: ValueJobSchema,
    async handler({ params }) {
      const s = await jobs.status(params.id);
      if (!s) throw new HttpProblem(404, 'Not found', `No value job ${params.id}.`);
      return s;
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/value/settings',
    summary: 'Customer value settings: currency and rates, tier thresholds on the RFM scores, stage rules, care teams by tier',
    tags: ['value'],
    access: 'supervisor',
    response: ValueSettingsSchema.extend({ custom: z.boolean().describe('false: the built-in defaults') }),
    async handler() {
      const { settings: s, custom } = await settings.get();
      return { ...s, custom };
    },
  });

  t.route({
    method: 'put',
    path: '/api/v1/value/settings',
    summary: 'Replace the customer value settings (admins); the next recompute uses them',
    tags: ['value'],
    access: 'admin',
    body: ValueSettingsSchema,
    response: ValueSettingsSchema.extend({ custom: z.boolean() }),
    async handler({ body }) {
      return { ...(await settings.set(body)), custom: true };
    },
  });

  const segmentsView = async () => {
    const run = await segments.current();
    return {
      k: await settings.segmentsK(),
      computedAt: run?.computedAt.toISOString() ?? null,
      customers: run?.customers ?? 0,
      segments: (run?.segments ?? []).map((s) => ({ id: s.id, size: s.size, centroid: { ...s.centroid } })),
    };
  };

  t.route({
    method: 'get',
    path: '/api/v1/value/segments',
    summary: 'Customer segments (K-means over normalised RFM): sizes and centroids (in score units 1-5), best first',
    tags: ['value'],
    access: 'supervisor',
    response: SegmentsSchema,
    handler: segmentsView,
  });

  t.route({
    method: 'put',
    path: '/api/v1/value/segments',
    summary: 'Choose k (2-12) and segment the customer base again now',
    tags: ['value'],
    access: 'supervisor',
    body: z.object({ k: SegmentsKSchema }),
    errors: [409],
    response: SegmentsSchema,
    async handler({ body }) {
      await settings.setSegmentsK(body.k);
      await busy(() => jobs.segmentsNow(body.k));
      return segmentsView();
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/value/segments/:segment/members.csv',
    summary: "A segment's members as CSV (contact_id, name, email, phone, orders, monetary, recency_days, r, f, m, tier, stage)",
    tags: ['value'],
    access: 'supervisor',
    params: z.object({ segment: z.coerce.number().int().min(0).max(11) }),
    async handler({ params, res }) {
      const { csv } = await segments.membersCsv(params.segment);
      res.status(200).type('text/csv; charset=utf-8').set('content-disposition', `attachment; filename="segment-${params.segment}.csv"`).send(csv);
    },
  });
}
