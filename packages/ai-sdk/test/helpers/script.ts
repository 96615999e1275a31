// What a scripted mock model (ai's MockLanguageModelV3 on ai 6, V4 on ai 7: both take the same
// result shape) answers, one result per model call, with the prompts it was sent recorded.

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** The model asks for one tool call. */
export const callTool = (toolCallId: string, toolName: string, input: Record<string, unknown>) => ({
  content: [{ type: 'tool-call' as const, toolCallId, toolName, input: JSON.stringify(input) }],
  finishReason: { unified: 'tool-calls' as const, raw: undefined },
  usage,
  warnings: [],
});

/** The model answers with text and stops. */
export const say = (text: string) => ({
  content: [{ type: 'text' as const, text }],
  finishReason: { unified: 'stop' as const, raw: undefined },
  usage,
  warnings: [],
});

export type ScriptStep = ReturnType<typeof callTool> | ReturnType<typeof say>;

/** A `doGenerate` that answers the script in order (then 'done.') and records each prompt. */
export function scripted(steps: ScriptStep[]): { doGenerate: (options: { prompt: unknown }) => Promise<ScriptStep>; prompts: unknown[] } {
  const prompts: unknown[] = [];
  let turn = 0;
  return {
    prompts,
    doGenerate: async ({ prompt }) => {
      prompts.push(prompt);
      return steps[turn++] ?? say('done.');
    },
  };
}
