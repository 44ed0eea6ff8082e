import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Command, Option } from 'commander';
import { loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter } from '../../temporal-config/payload-codec';
import { approvalActions, approvalState, startApproval, type ApprovalAction } from '../../client/approval';
import { cancelFlow } from '../../client/cancel';
import { startCheckout, startFlashSale } from '../../client/checkout';
import { validate, ValidationError } from '../../client/errors';
import { businessKeyOf, flows } from '../../contracts/flows';
import { startOptions } from '../start-options';
import { flowTypes, listFilter, listSagas, sagaStatuses } from '../../client/list';
import { startPayment } from '../../client/payment';
import { startRefund } from '../../client/refund';
import { retryStep, sagaState, skipStep } from '../../client/saga';
import { renderList, renderReplay, renderTimeline } from './render';
import { addEventCommands } from './events';

/** An input given inline as JSON or as `@file.json`. */
function jsonArg(value: string, name = 'input'): unknown {
  try {
    return JSON.parse(value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value) as unknown;
  } catch (err) {
    throw new ValidationError([{ path: name, message: `must be JSON or @file.json (${(err as Error).message})` }]);
  }
}

async function withClient<T>(fn: (client: Client, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const converter = dataConverter(config.payloadKeys);
    return await fn(new Client({ connection, namespace: config.temporal.namespace, dataConverter: converter }), config);
  } finally {
    await connection.close();
  }
}

const print = (value: unknown, json: boolean, text: () => string) =>
  console.log(json ? JSON.stringify(value, null, 2) : text());

/** The flows an operator may start, by the prefix of their workflow ids. */
const startable = [
  flows.paymentSaga,
  flows.checkout,
  flows.flashSalePurchase,
  flows.refundSaga,
  flows.approvalFlow,
].map((f) => f.prefix);

export function program(): Command {
  // Usage errors throw (a CommanderError) instead of exiting, so the entry point picks the exit code.
  const cli = new Command('saga')
    .description('Operate the sagas: start, inspect, decide, replay')
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('start')
    .description('start a flow; the same business key again answers the run that exists')
    .argument('<flow>', startable.join(' | '))
    .argument('<input>', 'the input as JSON, or @file.json')
    .action(async (flow: string, input: string) => {
      const data = jsonArg(input) as never;
      await withClient(async (client, config) => {
        const start = startOptions(config);
        // Keyed by the id prefix, the word an operator sees in every workflow id.
        const starters: Record<string, () => Promise<{ workflowId: string }>> = {
          [flows.paymentSaga.prefix]: () => startPayment(client, data, start),
          [flows.checkout.prefix]: () => startCheckout(client, data, start),
          [flows.flashSalePurchase.prefix]: () => startFlashSale(client, data, start),
          [flows.refundSaga.prefix]: () => startRefund(client, data, start),
          [flows.approvalFlow.prefix]: () =>
            startApproval(client, { ...(data as object), ...config.approvals } as never, start),
        };
        const starter = starters[flow];
        if (!starter)
          throw new ValidationError([{ path: 'flow', message: `must be one of ${Object.keys(starters).join(', ')}` }]);
        console.log(`started ${(await starter()).workflowId}`);
      });
    });

  cli
    .command('status')
    .description("a saga's step timeline (or an approval's state)")
    .argument('<workflowId>')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, o: { json?: boolean }) => {
      await withClient(async (client) => {
        const requestId = businessKeyOf(flows.approvalFlow, workflowId);
        if (requestId !== undefined) {
          const state = await approvalState(client, requestId);
          return print(state, o.json === true, () => JSON.stringify(state, null, 2));
        }
        const state = await sagaState(client, workflowId);
        print(state, o.json === true, () => renderTimeline(workflowId, state));
      });
    });

  cli
    .command('list')
    .description('sagas by status, flow and order, newest first')
    .addOption(new Option('--status <status>').choices(sagaStatuses))
    .addOption(new Option('--flow <flow>').choices(flowTypes))
    .option('--order <orderId>')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; flow?: string; order?: string; limit: string; json?: boolean }) => {
      const filter = validate(listFilter, { status: o.status, flow: o.flow, orderId: o.order, limit: o.limit });
      await withClient(async (client) => {
        const rows = await listSagas(client, filter);
        print(rows, o.json === true, () => renderList(rows));
      });
    });

  // Each approval action with its options: `flag` is the CLI's, `field` the action's payload field.
  type Opt = { flag: string; field: string; required?: boolean };
  const approvalCommands: { action: ApprovalAction; what: string; opts: Opt[] }[] = [
    {
      action: 'approve',
      what: 'approve as the current approver or delegate',
      opts: [{ flag: 'comment', field: 'comment' }],
    },
    { action: 'reject', what: 'reject, saying why', opts: [{ flag: 'reason', field: 'reason', required: true }] },
    {
      action: 'delegate',
      what: 'hand the current level to someone else',
      opts: [
        { flag: 'to', field: 'to', required: true },
        { flag: 'comment', field: 'comment' },
      ],
    },
    {
      action: 'comment',
      what: 'add a comment to the audit trail',
      opts: [{ flag: 'text', field: 'text', required: true }],
    },
    { action: 'withdraw', what: 'withdraw the request as its requester', opts: [{ flag: 'reason', field: 'reason' }] },
  ];
  for (const { action, what, opts } of approvalCommands) {
    const c = cli
      .command(action)
      .description(`${what} (an approval request)`)
      .argument('<requestId>')
      .requiredOption('--by <actor>');
    for (const o of opts) {
      if (o.required) c.requiredOption(`--${o.flag} <text>`);
      else c.option(`--${o.flag} <text>`);
    }
    c.action(async (requestId: string, given: Record<string, string | undefined>) => {
      const body: Record<string, string> = { by: given.by! };
      for (const o of opts) if (given[o.flag] !== undefined) body[o.field] = given[o.flag]!;
      await withClient(async (client) => {
        const state = await approvalActions[action](client, requestId, body);
        console.log(
          `${requestId}: ${state.status}${state.currentApprover ? `, now with ${state.currentApprover}` : ''}`,
        );
      });
    });
  }

  cli
    .command('cancel')
    .description('cancel a flow: before its pivot it undoes what it did and ends CANCELLED; after it, it finishes')
    .argument('<workflowId>')
    .action(async (workflowId: string) => {
      await withClient(async (client) => {
        await cancelFlow(client, workflowId);
        console.log(`asked ${workflowId} to cancel`);
      });
    });

  for (const decision of ['retry', 'skip'] as const) {
    const c = cli
      .command(decision)
      .description(`${decision} a step a saga waits on in NEEDS_ATTENTION`)
      .argument('<workflowId>')
      .requiredOption('--by <operator>')
      .option('--step <step>', 'which step, when several wait');
    if (decision === 'skip') c.requiredOption('--reason <text>');
    c.action(async (workflowId: string, o: { by: string; step?: string; reason?: string }) => {
      await withClient(async (client) => {
        const action = { by: o.by, ...(o.step ? { step: o.step } : {}) };
        const state =
          decision === 'retry'
            ? await retryStep(client, workflowId, action)
            : await skipStep(client, workflowId, { ...action, reason: o.reason ?? '' });
        console.log(renderTimeline(workflowId, state));
      });
    });
  }

  cli
    .command('replay')
    .description(
      'replay a history against the current workflow code: from the server, or a file of `temporal workflow show --output json`',
    )
    .argument('[workflowId]')
    .option('--file <path>')
    .option('--debug', 'for a debugger: bundle with source maps, no deadlock timeout (see the README)')
    .action(async (workflowId: string | undefined, o: { file?: string; debug?: boolean }) => {
      if ((workflowId === undefined) === (o.file === undefined)) {
        throw new ValidationError([{ path: 'workflowId', message: 'give a workflow id or --file, not both' }]);
      }
      const { loadHistory, replayHistory } = await import('./replay');
      const outcome = o.file
        ? await replayHistory(await loadHistory({ file: o.file }), o.file, {
            dataConverter: dataConverter(loadConfig().payloadKeys),
          })
        : await withClient(async (client, config) =>
            replayHistory(await loadHistory({ client, workflowId: workflowId! }), workflowId!, {
              dataConverter: dataConverter(config.payloadKeys),
            }),
          );
      console.log(renderReplay(outcome));
      if (!outcome.ok) process.exitCode = 1;
    });

  addEventCommands(cli);
  return cli;
}
