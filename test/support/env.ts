/** Where the harness's services are; set by global-setup for every test worker. */
export function serviceUrls(): { mongo: string; redis: string } {
  const mongo = process.env.TEST_MONGODB_URI;
  const redis = process.env.TEST_REDIS_URL;
  if (!mongo || !redis) throw new Error('TEST_MONGODB_URI / TEST_REDIS_URL unset: run the tests through jest (global-setup)');
  return { mongo, redis };
}

/** A MongoDB URI naming a database of its own (letters, digits and _ only, as FerretDB wants). */
export function databaseUri(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export function uniqueName(tag: string): string {
  const clean = tag.replace(/[^A-Za-z0-9]/g, '_').slice(0, 12); // the whole name stays within REDIS_PREFIX's 40 characters
  return `t_${clean}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}
