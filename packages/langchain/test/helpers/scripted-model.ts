import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';

/**
 * A fake chat model that answers from a script, one message per turn, and records what it was
 * sent each turn (so a test can see what the model read). @langchain/core's fakes answer the
 * same message every turn, so the agent loop needs this.
 */
export class ScriptedChatModel extends FakeStreamingChatModel {
  readonly seen: BaseMessage[][] = [];
  #turn = 0;

  constructor(private readonly script: AIMessage[]) {
    super({});
  }

  override bindTools(): this {
    return this;
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push([...messages]);
    const message = this.script[this.#turn++] ?? new AIMessage('done');
    return { generations: [{ text: typeof message.content === 'string' ? message.content : '', message }] };
  }
}
