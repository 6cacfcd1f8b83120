import { existsSync } from 'node:fs';
import { defineConfig } from 'prisma/config';

// `prisma generate` never runs the native schema engine, but the CLI insists on
// finding one; pointing it at an existing file keeps generate fully offline.
// Migrations are applied by src/platform/db/migrate.ts, not by the CLI.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= existsSync('/bin/true') ? '/bin/true' : process.execPath;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
