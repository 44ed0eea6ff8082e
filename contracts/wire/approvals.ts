import { z } from 'zod';
import { actor, approvalDecisionShape, department } from '../approval';
import { cents, composedId, derivedId, positiveCents } from '../fields';

/** The approvals service's wire: department budget holds and the approvers' inbox. */

export { department };
export const budgetRequest = z.object({ totalCents: cents });
export const holdRequest = z.object({ holdId: composedId, amountCents: positiveCents });

export const notificationKinds = ['decide', 'reminder', 'escalated', 'outcome'] as const;
export const notificationRequest = z.object({
  notificationId: composedId,
  to: actor,
  requestId: derivedId,
  kind: z.enum(notificationKinds),
  message: z.string().min(1).max(2000),
});

/** A request's final decision, recorded once (the approval flow sends it when the request closes). */
export const decisionRequest = z.object(approvalDecisionShape);
export type DecisionRequest = z.infer<typeof decisionRequest>;
export const decisionStored = decisionRequest.extend({ recorded: z.boolean() });

/** A hold as it now is (a release of an unknown hold answers its tombstone). */
export const budgetHold = z.object({ holdId: z.string(), status: z.enum(['HELD', 'COMMITTED', 'RELEASED']) });
export const notificationStored = z.object({ notificationId: z.string() });
