export * from './payment-saga';
export * from './saga/definitions';
