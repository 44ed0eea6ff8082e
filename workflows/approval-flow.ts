import type { UpdateDefinition } from '@temporalio/common';
import { condition, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../activities';
import * as approval from '../contracts/approval';
import {
  approvalStateQuery,
  approveUpdate,
  commentUpdate,
  delegateUpdate,
  rejectUpdate,
  withdrawUpdate,
} from '../contracts/approval';
import type { ApprovalInput, ApprovalLevel, ApprovalResult, ApprovalState, AuditEntry } from '../contracts/approval';
import { describeFields, fieldErrors } from '../contracts/validation';
import { invalidInput, parseWorkflowInput } from './input';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { describeError, isBusinessRefusal, Saga } from './saga';
import { appSagaOptions } from './saga-options';
import { flows } from '../contracts/flows';

export { approveUpdate, rejectUpdate, delegateUpdate, commentUpdate, withdrawUpdate, approvalStateQuery };

type Notice = Parameters<Activities['notify']>[0];
type Closed = Exclude<ApprovalState['status'], 'PENDING'>;
type Rule<A> = { check: (a: A) => void; apply: (a: A) => void };

/**
 * One request: the levels in order, who may act, the audit trail, the SLA clock and the
 * notifications still to send. Handlers change it synchronously, so of two racing decisions the
 * second one's validator already sees the first and refuses.
 */
class ApprovalRequest {
  readonly state: ApprovalState;
  decidedBy = 'system';
  reason: string | undefined;
  private chainAt = 0;
  /** Everyone who is or was an approver or delegate: they may comment. */
  private readonly involved = new Set<string>();
  private clock = { since: Date.now(), reminded: false };
  private readonly outbox: Notice[] = [];
  private sent = 0;

  // Each action: who may do it (checked in the validator, after the payload and PENDING), and its
  // effect (synchronous: the next validator already sees it).
  private readonly approve: Rule<approval.ApproveAction> = {
    check: (a) => this.assertDecider(a.by),
    apply: (a) => {
      const i = this.decide('approved', a.by, a.comment);
      if (i + 1 < this.levels.length) this.enter(i + 1);
      else this.close('APPROVED', a.by);
    },
  };
  private readonly reject: Rule<approval.RejectAction> = {
    check: (a) => this.assertDecider(a.by),
    apply: (a) => {
      this.decide('rejected', a.by, a.reason);
      this.close('REJECTED', a.by, a.reason);
    },
  };
  private readonly delegate: Rule<approval.DelegateAction> = {
    check: ({ by, to }) => {
      this.assertDecider(by);
      const approver = this.state.currentApprover;
      if (by !== approver) throw new Error(`${by} is a delegate; only the current approver (${approver}) may delegate`);
      if (to === approver) throw new Error(`${to} is already the current approver`);
    },
    apply: ({ by, to, comment }) => {
      this.state.levels[this.state.currentLevel!]!.delegate = this.state.currentDelegate = to;
      this.involved.add(to);
      this.audit(by, 'delegated', `to ${to}${comment ? `: ${comment}` : ''}`, this.state.currentLevel);
      this.notice('decide', to, `${by} delegated ${this.state.requestId} to you: please decide`);
    },
  };
  private readonly comment: Rule<approval.CommentAction> = {
    check: ({ by }) => {
      if (by !== this.input.requester && !this.involved.has(by))
        throw new Error(`${by} is neither the requester nor an approver or delegate of this request`);
    },
    apply: (a) => this.audit(a.by, 'commented', a.text, this.state.currentLevel),
  };
  private readonly withdraw: Rule<approval.WithdrawAction> = {
    check: ({ by }) => {
      if (by !== this.input.requester) throw new Error(`only the requester (${this.input.requester}) may withdraw`);
    },
    apply: (a) => {
      this.audit(a.by, 'withdrawn', a.reason, this.state.currentLevel);
      this.close('WITHDRAWN', a.by, a.reason ?? 'withdrawn by the requester');
    },
  };

  constructor(
    private readonly input: z.output<typeof approval.approvalInput>,
    private readonly levels: ApprovalLevel[],
  ) {
    const { requestId, kind, requester, description } = input;
    const rows = levels.map((l) => ({ role: l.role, approver: l.chain[0]! }));
    this.state = { requestId, kind, status: 'PENDING', levels: rows, audit: [] };
    this.audit(requester, 'submitted', description);
    this.enter(0);
    setHandler(approvalStateQuery, () => this.snapshot());
    this.on(approveUpdate, approval.approveAction, this.approve);
    this.on(rejectUpdate, approval.rejectAction, this.reject);
    this.on(delegateUpdate, approval.delegateAction, this.delegate);
    this.on(commentUpdate, approval.commentAction, this.comment);
    this.on(withdrawUpdate, approval.withdrawAction, this.withdraw);
  }

  get status(): ApprovalState['status'] {
    return this.state.status;
  }

  /**
   * Runs the clock until the request closes: a reminder at half the SLA, an escalation when it runs
   * out, EXPIRED past the deadline; sends the queued notifications on the way. Resolves with how it closed.
   */
  async drive(send: (n: Notice) => Promise<unknown>): Promise<Closed> {
    const sla = this.input.slaPerLevelMs;
    const deadlineAt = workflowInfo().startTime.getTime() + this.input.deadlineMs;
    for (;;) {
      await this.flush(send);
      const status = this.status;
      if (status !== 'PENDING') return status;
      const clock = this.clock;
      const due = clock.since + (clock.reminded ? sla : Math.floor(sla / 2));
      const now = Date.now();
      if (now >= deadlineAt) {
        this.audit('system', 'expired', 'deadline passed', this.state.currentLevel);
        this.close('EXPIRED', 'system', 'deadline passed');
      } else if (now >= due && clock.reminded) this.escalate();
      else if (now >= due) this.remind();
      else {
        const woken = () => this.outbox.length > 0 || this.status !== 'PENDING' || this.clock !== clock;
        const next = due < deadlineAt ? (clock.reminded ? 'escalation' : 'reminder') : 'deadline';
        await condition(woken, Math.min(due, deadlineAt) - now, {
          summary: `Wait for ${this.state.currentApprover}'s decision until the ${next}`,
        });
      }
    }
  }

  /**
   * Sends the queued notifications in order. One the inbox still refuses after the preset's retries
   * is logged and dropped: a lost reminder must not block or fail the decision.
   */
  async flush(send: (n: Notice) => Promise<unknown>): Promise<void> {
    for (let n = this.outbox.shift(); n !== undefined; n = this.outbox.shift()) {
      const { notificationId } = n;
      await send(n).catch((err: unknown) =>
        log.warn('approval notification not delivered', { notificationId, error: describeError(err) }),
      );
    }
  }

  /** Closes a pending request REJECTED by the system (a department refused its budget hold). */
  refuse(reason: string): void {
    this.audit('system', 'rejected', reason, this.state.currentLevel);
    this.close('REJECTED', 'system', reason);
  }

  /** The outcome for the requester, queued for the next `flush`; then the result. */
  finish(): ApprovalResult {
    const { requestId, status, audit } = this.snapshot();
    const text = `${requestId} is ${status}${this.reason ? `: ${this.reason}` : ''}`;
    this.notice('outcome', this.input.requester, text, 'outcome');
    const reason = this.reason === undefined ? {} : { reason: this.reason };
    return { requestId, status: status as Closed, decidedBy: this.decidedBy, ...reason, audit };
  }

  /** Registers an update: payload parsed, request pending, then `check`; `apply` never awaits. */
  private on<A>(def: UpdateDefinition<ApprovalState, [A]>, schema: z.ZodType<A>, { check, apply }: Rule<A>): void {
    const validator = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new Error(`invalid ${def.name}: ${describeFields(fieldErrors(parsed.error))}`);
      if (this.status !== 'PENDING') throw new Error(`request is ${this.status}, not pending`);
      check(parsed.data);
    };
    const handler = (a: A) => {
      apply(a);
      return this.snapshot();
    };
    setHandler(def, handler, { validator });
  }

  private assertDecider(by: string): void {
    const { currentApprover, currentDelegate } = this.state;
    if (by !== currentApprover && by !== currentDelegate)
      throw new Error(`${by} is not the current approver (${currentApprover}) or their delegate`);
  }

  private decide(decision: 'approved' | 'rejected', by: string, comment?: string): number {
    const i = this.state.currentLevel!;
    Object.assign(this.state.levels[i]!, { decision, decidedBy: by });
    this.audit(by, decision, comment, i);
    return i;
  }

  /** Level `i` becomes current: its first approver is asked and its clock starts. */
  private enter(i: number): void {
    this.state.currentLevel = i;
    this.chainAt = 0;
    this.assign(this.levels[i]!.chain[0]!);
    this.notice('decide', this.state.currentApprover!, `please decide on ${this.state.requestId}`);
  }

  /** The current level's approver becomes `person`: a delegate of the previous one goes, the clock restarts. */
  private assign(person: string): void {
    const level = this.state.levels[this.state.currentLevel!]!;
    level.approver = this.state.currentApprover = person;
    delete level.delegate;
    delete this.state.currentDelegate;
    this.involved.add(person);
    this.clock = { since: Date.now(), reminded: false };
  }

  private remind(): void {
    this.clock.reminded = true;
    const { currentApprover, currentDelegate, currentLevel, requestId } = this.state;
    this.audit('system', 'reminded', `waiting for ${currentApprover}`, currentLevel);
    for (const to of [currentApprover, currentDelegate]) {
      if (to !== undefined) this.notice('reminder', to, `${requestId} still waits for your decision`);
    }
  }

  /** The SLA ran out: the next in the chain; at its end the last person stays, reminded, clock restarted. */
  private escalate(): void {
    const i = this.state.currentLevel!;
    const chain = this.levels[i]!.chain;
    if (this.chainAt + 1 >= chain.length) {
      this.remind();
      this.clock = { since: Date.now(), reminded: false };
      return;
    }
    const from = this.state.currentApprover;
    const to = chain[++this.chainAt]!;
    this.assign(to);
    this.audit('system', 'escalated', `${from} did not decide in time; now ${to}`, i);
    this.notice('escalated', to, `${this.state.requestId} was escalated to you from ${from}: please decide`);
  }

  private close(status: Closed, by: string, reason?: string): void {
    this.decidedBy = by;
    this.reason = reason;
    this.state.status = status;
    this.outbox.length = 0; // nobody is asked to decide on a closed request
    delete this.state.currentLevel;
    delete this.state.currentApprover;
    delete this.state.currentDelegate;
  }

  private audit(who: string, what: AuditEntry['what'], comment?: string, level?: number): void {
    const entry: AuditEntry = { at: new Date().toISOString(), who, what };
    if (comment) entry.comment = comment;
    if (level !== undefined) entry.level = level;
    this.state.audit.push(entry);
  }

  private notice(kind: Notice['kind'], to: string, message: string, scope = `L${this.state.currentLevel}`): void {
    const { requestId } = this.state;
    this.outbox.push({
      notificationId: `${requestId}:${scope}:${kind}:${to}:${++this.sent}`,
      to,
      requestId,
      kind,
      message,
    });
  }

  private snapshot(): ApprovalState {
    // A deep copy (the sandbox has no structuredClone): callers never hold the live state.
    return JSON.parse(JSON.stringify(this.state)) as ApprovalState;
  }
}

/**
 * approvalFlow (workflow id `approval:<requestId>`): holds each department's budget, asks the levels
 * `route` names in order (reminders, escalation along each chain, the overall deadline), then
 * commits the holds on approval or releases them otherwise. Rejected, withdrawn and expired requests
 * complete normally with that status, as does a department refusing its hold (e.g.
 * `InsufficientBudget`: REJECTED with that reason); the `SagaStatus` search attribute says the same
 * (REJECTED, WITHDRAWN, EXPIRED). Fails with `InvalidInput` (nothing done) on a bad
 * input or routing, and with `SagaFailed` when a budget call keeps failing for another reason.
 */
/** The patch that records each closed request's decision with the approvals service. */
export const recordDecisionPatch = 'record-approval-decision';

export async function approvalFlow(raw: ApprovalInput): Promise<ApprovalResult> {
  const input = parseWorkflowInput(approval.approvalInput, raw, 'approval');
  let levels: ApprovalLevel[];
  try {
    levels = approval.route(input.routing, input.amountCents, input.department);
  } catch (err) {
    throw invalidInput('approval', `routing: ${describeError(err)}`);
  }
  const request = new ApprovalRequest(input, levels);

  const act = narratedActivities(presets.serviceCall);
  const undo = narratedActivities(presets.compensation);
  const { workflowId } = workflowInfo();
  const key = (step: string) => `${workflowId}:${step}`;
  const departments = input.budget.map((b) => b.department);
  const plan = [...departments.map((d) => `hold-budget:${d}`), ...departments.map((d) => `commit-budget:${d}`)];
  const saga = new Saga({ ...appSagaOptions(flows.approvalFlow.type), plan });
  // Closed without approval: the holds are released and the result says why.
  await saga.run(
    async () => {
      for (const { department, amountCents } of input.budget) {
        const holdId = key(department);
        const step = `hold-budget:${department}`;
        try {
          await saga.step(step, () => act.holdBudget({ department, holdId, amountCents, idempotencyKey: key(step) }), {
            compensate: () => undo.releaseBudget({ holdId, idempotencyKey: key(`${step}:undo`) }),
          });
        } catch (err) {
          if (!isBusinessRefusal(err)) throw err;
          // A department refused its hold (e.g. InsufficientBudget): the request is rejected for it.
          request.refuse(describeError(err));
          return saga.abort(`${department} refused the hold: ${describeError(err)}`, 'BudgetRefused', 'REJECTED');
        }
      }
      const status = await request.drive((n) => act.notify(n));
      // SagaStatus says the outcome: REJECTED, WITHDRAWN or EXPIRED.
      if (status !== 'APPROVED')
        return saga.abort(`request ${status}: ${request.reason}`, `Request${capitalized(status)}`, status);
      for (const [i, department] of departments.entries()) {
        const step = `commit-budget:${department}`;
        const commit = () => act.commitBudget({ holdId: key(department), idempotencyKey: key(step) });
        await (i === 0 ? saga.step(step, commit, { pivot: true }) : saga.forward(step, commit));
      }
    },
    () => undefined,
  );
  const result = request.finish();
  await request.flush((n) => act.notify(n));
  // The decision reaches the approvals service (and, through its outbox, approval.decided), retried
  // until it is recorded: it happens once the request is closed, and must not be lost.
  if (patched(recordDecisionPatch)) {
    await narratedActivities(presets.untilDeadline).recordDecision({
      requestId: result.requestId,
      kind: input.kind,
      status: result.status,
      decidedBy: result.decidedBy,
      amountCents: input.amountCents,
      currency: input.currency,
      idempotencyKey: key('record-decision'),
    });
  }
  return result;
}

const capitalized = (status: string) => `${status.charAt(0)}${status.slice(1).toLowerCase()}`;
