import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { createHub, type Hub } from '../../src/main';
import { databaseUri, serviceUrls, uniqueName } from './env';

export const TEST_API_KEY = 'test-inbound-key-0123456789abcdef';
export const TEST_ADMIN = { email: 'admin@test.example', password: 'admin-password-1' };

export interface TestHubEnv {
  MONGODB_URI: string;
  REDIS_URL: string;
  REDIS_PREFIX: string;
  DATA_DIR: string;
  [key: string]: string;
}

/** Environment for a hub of its own: a fresh database and Redis prefix. */
export function testHubEnv(tag: string, overrides: Record<string, string> = {}): TestHubEnv {
  const { mongo, redis } = serviceUrls();
  const name = uniqueName(tag);
  return {
    MONGODB_URI: databaseUri(mongo, name),
    REDIS_URL: redis,
    REDIS_PREFIX: name,
    DATA_DIR: mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? '/tmp', `${name}-`)),
    PORT: '0',
    HOST: '127.0.0.1',
    INBOUND_API_KEY: TEST_API_KEY,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/** Starts a hub in this process. Stop it in afterAll. */
export async function startTestHub(tag: string, overrides: Record<string, string> = {}): Promise<Hub & { env: TestHubEnv }> {
  return startHubWithEnv(testHubEnv(tag, overrides));
}

/** Starts a hub on a given environment: the same database, Redis prefix and data as an earlier one (a restart), maybe configured differently. */
export async function startHubWithEnv(env: TestHubEnv): Promise<Hub & { env: TestHubEnv }> {
  const config = loadConfig({ ...env, PUBLIC_URL: undefined });
  const hub = await createHub(config, { logger: pino({ level: env.LOG_LEVEL ?? 'silent' }) });
  return Object.assign(hub, { env });
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON (problem+json included), with the inbound API key unless told otherwise. */
export async function request<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; apiKey?: string | null } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.apiKey !== null) headers.authorization ??= `Bearer ${init.apiKey ?? TEST_API_KEY}`;
  if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: body as T };
}
