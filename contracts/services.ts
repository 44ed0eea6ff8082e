/** The participant services, each with its own schema, port and base URL. */
export const serviceNames = [
  'order',
  'inventory',
  'payments',
  'wallet',
  'coupon',
  'shipping',
  'billing',
  'approvals',
] as const;
export type ServiceName = (typeof serviceNames)[number];
