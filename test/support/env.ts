/** Where the integration tests find the real services (override for another machine). The test database itself is created per run by global-setup.ts. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const TEST_APP_KEY = Buffer.alloc(32, 7).toString('base64');
export const usePglite = () => process.env.TEST_DB === 'pglite';
