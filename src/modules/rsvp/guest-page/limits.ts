/** Answers (and preference changes) per guest link per hour: a guest changing their mind many times still fits. */
export const SUBMITS_PER_HOUR = 120;
