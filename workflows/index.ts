export * from './stock-hold';
