export * from './errors';
export * from './payment';
