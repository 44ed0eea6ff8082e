export * from './definitions';
export * from './duration';
export * from './errors';
export * from './metrics';
export * from './saga';
export * from './tcc';
