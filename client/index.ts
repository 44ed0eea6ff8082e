export * from './errors';
export * from './stock-hold';
