export * from './checkout';
export * from './errors';
export * from './payment';
export * from './start';
export * from './reconciliation';
