import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being served, visible to every log call made while serving it. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
