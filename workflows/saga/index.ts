export * from './definitions';
export * from './errors';
export * from './saga';
