// ai 6 agent loop against the real local server: guardTools gives every tool a needsApproval
// (a stable HaltState lookup) and a guarded execute; a paused run resumes from HaltState's
// decisions only (approvalResponses), even after a restart.
import { generateText, stepCountIs, tool, type ModelMessage } from 'ai-v6';
import { MockLanguageModelV3 } from 'ai-v6/test';
import { guardTools, type HaltStateToolOptions } from '@haltstate/ai-sdk';
import { itResumesFromHaltStateOnly, itRunsInShadow, outputOf, toolDefinitions, useAgentLoop, user, type AgentApp, type Message } from './helpers/agent-loop';
import { callTool, say, scripted } from './helpers/script';

const { admin, newClient, ran } = useAgentLoop('ai6');

/** A fresh process's view: a new client and the same tools, guarded anew. */
function app(extra: Partial<HaltStateToolOptions> = {}): AgentApp {
  const options = { client: newClient(), ...extra };
  const { client } = options;
  const definitions = toolDefinitions(ran);
  const tools = guardTools({ search: tool(definitions.search), delete_account: tool(definitions.delete_account), refund: tool(definitions.refund) }, options);
  const run = async (script: Parameters<AgentApp['run']>[0], messages: Message[]) => {
    const model = scripted(script);
    const result = await generateText({ model: new MockLanguageModelV3({ doGenerate: model.doGenerate as never }), tools, messages: messages as ModelMessage[], stopWhen: stepCountIs(5) });
    return { history: [...messages, ...result.response.messages], prompts: model.prompts };
  };
  return { client, run };
}

it('an allowed call runs; a denied call does not, and the model reads the reason', async () => {
  const { history, prompts } = await app().run([callTool('a1', 'search', { query: 'refunds' }), callTool('a2', 'delete_account', { userId: 'u-1' }), say('I cannot delete accounts.')], user('Search, then delete u-1'));
  expect(ran).toEqual(['search refunds']);
  expect(outputOf(history, 'a1')).toEqual({ type: 'text', value: '3 results for refunds' });
  expect(outputOf(history, 'a2')).toEqual({ type: 'text', value: 'not allowed: Deleting accounts is never automatic' });
  expect(JSON.stringify(prompts[2])).toContain('not allowed: Deleting accounts is never automatic');
});

itResumesFromHaltStateOnly(app, { admin, ran });

itRunsInShadow(app, { admin, newClient, ran });
