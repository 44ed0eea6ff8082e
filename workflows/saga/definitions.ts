export * from '../../contracts/saga';

/** What a step after the pivot resolves with when an operator skipped it instead of retrying. */
export const SKIPPED: unique symbol = Symbol('skipped');
export type Skipped = typeof SKIPPED;
