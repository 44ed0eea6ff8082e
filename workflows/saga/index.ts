export * from './definitions';
export * from './errors';
export * from './saga';
export * from './tcc';
