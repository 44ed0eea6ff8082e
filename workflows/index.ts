export * from './checkout';
export * from './flash-sale-purchase';
export * from './payment-saga';
export * from './saga/definitions';
export * from './payment-channel';
export * from './reconciliation';
export * from './approval-flow';
export * from './refund-saga';
