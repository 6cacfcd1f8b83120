import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';

const HEADER = '# Generated from code by `npm run schema:print`; CI fails when this file differs from the code.\n\n';

export function printSchemaFile(schema: GraphQLSchema): string {
  return HEADER + printSchemaWithDirectives(schema) + '\n';
}
