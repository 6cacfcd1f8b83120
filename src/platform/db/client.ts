import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaPGlite as PrismaPGliteAdapter } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../generated/prisma/client.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { discardPgliteTemplate, isNewDataDir, pgliteTemplateFile, readPgliteTemplate, savePgliteTemplate } from './pglite-template.js';

export type Prisma = PrismaClient;
/** The client handed to services inside `$transaction(async (tx) => …)`. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/**
 * One database handle for both modes. `prisma` is the ORM; `exec` runs a raw
 * multi-statement script (migrations) and `query` a raw parameterised query
 * (benchmarks' SQL floor, drift checks) on the same database.
 */
export interface Database {
  kind: 'postgres' | 'pglite';
  prisma: PrismaClient;
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs fn on one connection while holding a cluster-wide advisory lock (PGlite
   * is single-process: no lock needed). fn must use the connection it is given.
   */
  withLock<T>(key: number, fn: (conn: RawConnection) => Promise<T>): Promise<T>;
  /**
   * Calls fn on every NOTIFY on `channel` (sent at the notifying transaction's
   * commit) and once after each (re)connection, when some may have been
   * missed. PostgreSQL: a connection of its own outside the pool, opened again
   * after a drop; PGlite: the instance's own listener, in process.
   */
  listen(channel: string, fn: () => void): Promise<Listener>;
  /** Counts statements sent by Prisma and by query(), for N+1 assertions. */
  statements: { count: number };
  /**
   * Set on a new embedded data directory that did not start from the migrated template of `DbOptions.migrationSet`:
   * called once migrated to that set and before anything else is written, it keeps the database as that template
   * (pglite-template.ts), so the next new directory skips initdb and the migrations.
   */
  saveMigratedTemplate?: () => Promise<void>;
  close(): Promise<void>;
}

export interface Listener {
  close(): Promise<void>;
}

/** After a listening connection drops, the next try is this much later (the listener's own fallback poll covers the gap). */
const RELISTEN_MS = 1_000;

export interface RawConnection {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  /** In-memory PGlite only: start from this `dumpDataDir()` tarball instead of an empty cluster (tests: a migrated template). */
  loadDataDir?: Blob;
  poolSize?: number;
  /**
   * An already open PGlite to use, which close() leaves open (tests: one in-memory database per test worker,
   * shared by the servers of its files as the pg project's servers share one PostgreSQL database).
   */
  pglite?: PGlite;
  /** Embedded data directory: the migration set (migrationSetKey) the caller migrates to, whose template a new directory may start from. */
  migrationSet?: string;
}

export async function createDatabase(opts: DbOptions): Promise<Database> {
  const statements = { count: 0 };
  const log = [{ emit: 'event', level: 'query' }] as const;

  // Each mode loads only its own driver and adapter.
  if (opts.databaseUrl) {
    const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    // JIT off for the app's sessions: PostgreSQL decides to JIT-compile by estimated cost, and set-returning
    // functions (jsonb_array_elements in the RSVP summary) inflate estimates a hundredfold, so a 100 ms
    // statement spent ~750 ms compiling itself on every call. Our statements are short; none gains from it.
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, options: '-c jit=off' });
    // An idle connection dropped by the server (restart, failover) must not crash the process;
    // the pool replaces it on the next checkout.
    pool.on('error', () => {});
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), log: [...log] });
    prisma.$on('query', () => void statements.count++);
    return {
      kind: 'postgres',
      prisma,
      statements,
      async exec(sql) {
        await pool.query(sql);
      },
      async query<T>(sql: string, params?: unknown[]) {
        statements.count++;
        return (await pool.query(sql, params)).rows as T[];
      },
      async listen(channel, fn) {
        if (!/^[a-z_]+$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
        let closed = false;
        let current: InstanceType<typeof pg.Client> | null = null;
        let retry: NodeJS.Timeout | undefined;
        const again = () => {
          current?.removeAllListeners('end');
          current?.end().catch(() => {});
          current = null;
          if (closed || retry) return;
          retry = setTimeout(() => {
            retry = undefined;
            void connect();
          }, RELISTEN_MS);
          retry.unref();
        };
        const connect = async () => {
          const client = new pg.Client({ connectionString: opts.databaseUrl, keepAlive: true });
          current = client;
          client.on('notification', (m) => m.channel === channel && fn());
          client.on('error', again);
          client.on('end', again);
          try {
            await client.connect();
            await client.query(`LISTEN ${channel}`);
            if (closed) return void (await client.end().catch(() => {}));
            fn();
          } catch {
            if (current === client) again();
          }
        };
        await connect();
        return {
          async close() {
            closed = true;
            clearTimeout(retry);
            const c = current;
            current = null;
            c?.removeAllListeners('end');
            await c?.end().catch(() => {});
          },
        };
      },
      async withLock(key, fn) {
        const client = await pool.connect();
        try {
          await client.query('SELECT pg_advisory_lock($1)', [key]);
          return await fn({
            exec: async (sql) => void (await client.query(sql)),
            query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
          });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
          client.release();
        }
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  if (opts.pglite) return pgliteDatabase(opts.pglite, PrismaPGlite, statements, { close: async () => {} });
  let dataDir: string | undefined;
  let lock: DataDirLock | null = null;
  if (!opts.memory) {
    dataDir = path.resolve(opts.dataDir ?? './.data', 'pglite');
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
  }
  let lite: PGlite;
  // A new data directory starts from a template when there is one (pglite-template.ts): migrated to the caller's
  // migration set, else initdb's alone.
  const fresh = dataDir !== undefined && isNewDataDir(dataDir);
  const migratedFile = fresh && opts.migrationSet ? pgliteTemplateFile(opts.migrationSet) : null;
  const initdbFile = fresh ? pgliteTemplateFile() : null;
  let templateFile = migratedFile;
  let template = readPgliteTemplate(migratedFile);
  if (!template) {
    templateFile = initdbFile;
    template = readPgliteTemplate(initdbFile);
  }
  try {
    try {
      lite = await PGlite.create(
        dataDir ? { dataDir, ...(template ? { loadDataDir: template } : {}) } : opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {},
      );
    } catch (e) {
      if (!template || !dataDir) throw e;
      // A template that does not load: forget it, and initialise the (still new) directory as usual.
      discardPgliteTemplate(templateFile);
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      template = null;
      lite = await PGlite.create({ dataDir });
    }
  } catch (e) {
    lock?.release();
    throw e;
  }
  if (fresh && !template) await savePgliteTemplate(lite, initdbFile);
  const startedMigrated = template !== null && templateFile === migratedFile;
  return pgliteDatabase(lite, PrismaPGlite, statements, {
    ...(migratedFile && !startedMigrated ? { saveMigratedTemplate: () => savePgliteTemplate(lite, migratedFile) } : {}),
    async close() {
      await lite.close();
      lock?.release();
    },
  });
}

/** The Database over one PGlite instance; `own.close` ends what the caller owns after Prisma has let go. */
function pgliteDatabase(
  lite: PGlite,
  Adapter: typeof PrismaPGliteAdapter,
  statements: { count: number },
  own: { close(): Promise<void>; saveMigratedTemplate?: () => Promise<void> },
): Database {
  const prisma = new PrismaClient({ adapter: new Adapter(lite), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', () => void statements.count++);
  const conn: RawConnection = {
    async exec(sql) {
      await lite.exec(sql);
    },
    async query(sql, params) {
      return (await lite.query(sql, params as unknown[])).rows as never;
    },
  };
  return {
    kind: 'pglite',
    prisma,
    statements,
    ...conn,
    async query<T>(sql: string, params?: unknown[]) {
      statements.count++;
      return conn.query<T>(sql, params);
    },
    async withLock(_key, fn) {
      return fn(conn);
    },
    ...(own.saveMigratedTemplate ? { saveMigratedTemplate: own.saveMigratedTemplate } : {}),
    async listen(channel, fn) {
      const unlisten = await lite.listen(channel, fn);
      return { close: () => unlisten() };
    },
    async close() {
      await prisma.$disconnect();
      await own.close();
    },
  };
}
