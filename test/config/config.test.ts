import { ConfigError, loadConfig } from '../../config/index';
import { spawnHub } from '../support/process';

describe('configuration', () => {
  test('defaults need no configuration at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, REDIS_PREFIX: 'hub', ROLES: ['api', 'worker'], MONGODB_URI: undefined, REDIS_URL: undefined });
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('every bad key is reported on its own line, secrets masked', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', INBOUND_API_KEY: 'short', ROLES: 'api,chef' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).lines;
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('config: PORT:'))).toContain('"eighty"');
    expect(lines.find((l) => l.startsWith('config: MONGODB_URI:'))).toContain('mongodb://');
    expect(lines.find((l) => l.startsWith('config: INBOUND_API_KEY:'))).toContain('***');
    expect(lines.find((l) => l.startsWith('config: ROLES:'))).toBeDefined();
    expect(lines.join('\n')).not.toContain('short');
  });

  test('email and identity settings: a bad SMTP URL, and identity required without its secret, are refused', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadConfig({ WEBCHAT_IDENTITY_REQUIRED: 'true' })).toThrow(/WEBCHAT_IDENTITY_REQUIRED: needs WEBCHAT_IDENTITY_SECRET/);
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' })).toMatchObject({ SMTP_URL: 'smtps://u:p@mail.example:465', WEBCHAT_EMAIL_OFFLINE_REPLIES: true });
  });

  test('statistics rollup zones: a list of IANA zones, each checked', () => {
    expect(loadConfig({}).STATS_ROLLUP_ZONES).toEqual(['UTC', 'Asia/Shanghai']);
    expect(loadConfig({ STATS_ROLLUP_ZONES: ' Europe/Berlin , America/New_York ' }).STATS_ROLLUP_ZONES).toEqual(['Europe/Berlin', 'America/New_York']);
    expect(() => loadConfig({ STATS_ROLLUP_ZONES: 'UTC,Mars/Olympus' })).toThrow(/STATS_ROLLUP_ZONES: IANA time zone names/);
    expect(() => loadConfig({ STATS_HOURLY_RETENTION_DAYS: '1' })).toThrow(/STATS_HOURLY_RETENTION_DAYS/);
  });

  test('bad configuration stops the process at start with one clear line per bad key', async () => {
    const proc = spawnHub({ PORT: '-1', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud' });
    const code = await proc.exited;
    expect(code).toBe(2);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(':')[1]?.trim()).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL']);
  }, 30_000);
});
