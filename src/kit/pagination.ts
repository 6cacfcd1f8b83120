/**
 * The largest page a connection field returns. Larger `first`/`last` are
 * refused with BAD_USER_INPUT before execution (interfaces/graphql/connection-args.ts),
 * never silently cut short.
 */
export const MAX_PAGE_SIZE = 100;
