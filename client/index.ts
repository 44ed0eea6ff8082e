export * from './checkout';
export * from './errors';
export * from './payment';
export * from './start';
export * from './reconciliation';
export * from './approval';
export * from './refund';
