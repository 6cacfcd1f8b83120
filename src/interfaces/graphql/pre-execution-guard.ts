import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What a guard sees of an operation: parsed, validated, with its variables, not yet run. */
export interface OperationArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: unknown;
  operationName?: string | null;
}

/**
 * A check on every operation after validation and before anything runs, over
 * HTTP, graphql-ws and SSE alike (queries and mutations execute, subscriptions
 * subscribe): an error it returns is the whole answer, and no resolver runs.
 */
export function preExecutionGuard(check: (args: OperationArgs) => GraphQLError | null): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
