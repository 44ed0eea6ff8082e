export * from '../../contracts/saga';

/** What the saga's persistent runner answers when an operator skipped the work. */
export const SKIPPED = Symbol('skipped');
