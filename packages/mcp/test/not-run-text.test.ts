// What the model reads for each error core's guard throws before a tool starts, matched by code:
// an error of another copy of core (here a plain object with the brand and code) reads the same.
import { ActionAlreadyExecuted, ActionDenied, ActionExpired, ApprovalPending, ApprovalTimeoutError, HaltStateAuthError, HaltStateConnectionError, KillSwitchTriggered } from '@haltstate/core';
import { notRunText } from '@haltstate/mcp';

const context = { action: 'mcp.files.send', approvalUrl: (id: string) => `https://approvals.example/#/${id}` };

it.each([
  [new ActionDenied({ action: 'mcp.files.send', reason: 'Not today', approver: 'alice' }), 'not allowed: Not today (rejected by alice)'],
  [new ApprovalPending({ action: 'mcp.files.send', approvalId: 'apr-1' }), 'approval pending: "mcp.files.send" needs a human\'s approval in HaltState (approval id apr-1, decide at https://approvals.example/#/apr-1). The tool did NOT run.'],
  [new ApprovalTimeoutError({ approvalId: 'apr-2', timeoutMs: 10 }), '(approval id apr-2, decide at'],
  [new ActionExpired({ action: 'mcp.files.send', approvalId: 'apr-3' }), 'expired before it was given; the tool did not run'],
  [new ActionAlreadyExecuted({ action: 'mcp.files.send', approvalId: 'apr-4' }), 'already done: "mcp.files.send" already ran once on its approval (approval id apr-4)'],
  [new KillSwitchTriggered({ agentId: 'bot', agentStatus: 'KILL' }), 'stopped: HaltState\'s kill switch (KILL) stops agent "bot"; the tool did not run.'],
  [new HaltStateConnectionError('fetch failed'), 'HaltState could not be reached, so the call could not be checked and the tool did not run (fail closed).'],
  [new HaltStateAuthError('401 on POST /action/guard'), 'the check failed (HALTSTATE_AUTH: 401 on POST /action/guard); the tool did not run (fail closed).'],
  [new Error('boom'), 'the check failed (boom); the tool did not run (fail closed).'],
])('%s', (error, text) => {
  expect(notRunText(error, context)).toContain(text);
});

it('reads the brand and code, not the class', () => {
  const foreign = { [Symbol.for('haltstate.error')]: true, code: 'HALTSTATE_ACTION_DENIED', reason: 'From the other build', approver: null, message: 'denied' };
  expect(notRunText(foreign, context)).toBe('not allowed: From the other build');
});
