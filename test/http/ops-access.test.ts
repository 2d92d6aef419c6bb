/**
 * Who may read /metrics (METRICS_TOKEN, METRICS_LISTEN, loopback-only by default) and the
 * OpenAPI document's integration entry point, POST /api/v1/inbound.
 */
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
type TestHub = Hub & { env: TestHubEnv };

describe('/metrics with METRICS_TOKEN', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('metrics-token', { METRICS_TOKEN });
  });
  afterAll(async () => {
    await hub.stop();
  });

  test('without the token or with a wrong one: 401 problem+json, no metrics', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdef' }] as Array<Record<string, string>>) {
      const res = await fetch(`${hub.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(body).not.toContain('hub_queue_jobs');
    }
  });

  test('with the token: the Prometheus text', async () => {
    const res = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^# HELP hub_queue_jobs /m);
  });
});

describe('/metrics without a token: loopback clients only', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('metrics-loopback');
  });
  afterAll(async () => {
    await hub.stop();
  });

  test('a client on this host reads it; one forwarded by a local reverse proxy from elsewhere gets 403', async () => {
    const local = await fetch(`${hub.url}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^# HELP hub_queue_jobs /m);
    const remote = await fetch(`${hub.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(remote.status).toBe(403);
    expect(remote.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await remote.text()).not.toContain('hub_queue_jobs');
  });
});

describe('/metrics on a separate listener (METRICS_LISTEN)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('metrics-listen', { METRICS_LISTEN: '127.0.0.1:0', METRICS_TOKEN });
  });
  afterAll(async () => {
    await hub.stop();
  });

  test('the main port no longer serves it; the listener does (with the token), and nothing else', async () => {
    expect(hub.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.metricsUrl).not.toBe(hub.url);
    const main = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(main.status).toBe(404);
    expect((await fetch(`${hub.metricsUrl}/metrics`)).status).toBe(401);
    const res = await fetch(`${hub.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP hub_queue_jobs /m);
    const other = await fetch(`${hub.metricsUrl}/api/docs`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(other.status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('openapi-inbound');
  });
  afterAll(async () => {
    await hub.stop();
  });

  interface Operation {
    security: Array<Record<string, string[]>>;
    requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> };
    responses: Record<string, { content?: Record<string, unknown> }>;
  }

  test('documents POST /api/v1/inbound: the InboundMessage body, the inbound key, 201/202 and every problem status', async () => {
    const docs = await request<{ paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } }>(
      `${hub.url}/api/docs/openapi.json`,
      { apiKey: null },
    );
    expect(docs.status).toBe(200);
    const op = docs.body.paths['/api/v1/inbound']?.post;
    expect(op).toBeDefined();
    const body = op!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['channel', 'externalId', 'from', 'identities', 'to', 'subject', 'text', 'html', 'attachments', 'threadRefs', 'receivedAt', 'chosenType', 'language', 'metadata']),
    );
    // What an integrator must send: the rest has defaults.
    expect([...(body.required ?? [])].sort()).toEqual(['externalId', 'from', 'text']);
    expect(op!.security).toEqual([{ inboundKey: [] }]);
    expect(op).toHaveProperty(['x-access'], 'inbound-key');
    expect(docs.body.components.securitySchemes.inboundKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(op!.responses).sort()).toEqual(['201', '202', '400', '401', '413', '415', '422', '429']);
    for (const s of ['400', '401', '413', '415', '422', '429']) expect(op!.responses[s]!.content).toHaveProperty(['application/problem+json']);
    expect(op!.responses['201']!.content).toHaveProperty(['application/json']);
    expect(docs.body.paths['/api/v1/inbound/jobs/{jobId}']?.get).toBeDefined();
  });
});
