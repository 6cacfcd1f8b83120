import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from '../interfaces/graphql/schema.js';
import { printSchemaFile } from '../interfaces/graphql/print.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCHEMA_FILE = path.join(ROOT, 'schema.graphql');

const [cmd] = process.argv.slice(2);
switch (cmd) {
  case 'schema:print': {
    writeFileSync(SCHEMA_FILE, printSchemaFile(buildSchema()));
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    break;
  }
  case 'schema:check': {
    const printed = printSchemaFile(buildSchema());
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (printed !== committed) {
      console.error('schema.graphql differs from the schema printed from code. Run `npm run schema:print` and commit the result.');
      process.exit(1);
    }
    console.log('schema.graphql matches the code.');
    break;
  }
  default:
    console.error('usage: cli <schema:print|schema:check>');
    process.exit(2);
}
