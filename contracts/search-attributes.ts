import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes every flow keeps current, so the Temporal UI and `list` can filter
 * sagas by business state. This one list feeds the dev server's flags, the registration script for
 * an existing cluster, and the workflows themselves.
 */
export const SagaStatus = defineSearchAttributeKey('SagaStatus', SearchAttributeType.KEYWORD);
export const FlowType = defineSearchAttributeKey('FlowType', SearchAttributeType.KEYWORD);
export const OrderId = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
/**
 * Written only by runs from before `customerIdNotSearchablePatch`: a customer id is personal data,
 * and search attributes are stored in plain text (no codec touches them). Still registered so those
 * runs keep their value.
 */
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** The patch after which no flow writes the customer id into a search attribute. */
export const customerIdNotSearchablePatch = 'customer-id-not-searchable';
export const AmountCents = defineSearchAttributeKey('AmountCents', SearchAttributeType.INT);

export const searchAttributes = [SagaStatus, FlowType, OrderId, CustomerId, AmountCents] as const;
