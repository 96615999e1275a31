import { HaltStateValidationError } from '@haltstate/core';
import { DEFAULT_WAIT_MS, describeAction, positiveMs, prepareInput, requestOptions, validIdentifier, waitSettings } from '../src/call-input';

describe('input preparation', () => {
  it('checks an input and falls back to the client agent', () => {
    expect(prepareInput({ action: 'payment.process', params: { at: new Date('2026-01-02T00:00:00Z') } }, 'bot')).toEqual({
      agentId: 'bot',
      action: 'payment.process',
      params: { at: '2026-01-02T00:00:00.000Z' },
    });
    expect(() => prepareInput({ action: 'x', parms: {} } as never, 'bot')).toThrow(/parms/);
    expect(() => prepareInput(null as never, 'bot')).toThrow(HaltStateValidationError);
  });

  it('refuses identifiers that are empty, padded or not strings, naming them', () => {
    expect(validIdentifier('ok', 'action')).toBe('ok');
    expect(() => validIdentifier(' x', 'action')).toThrow('action must not start or end with whitespace');
    expect(() => validIdentifier(null, 'agentId')).toThrow('agentId must be a string, got null');
  });

  it('checks call options and durations', () => {
    expect(requestOptions(undefined)).toEqual({});
    expect(() => requestOptions({ timeout: 5 })).toThrow(/timeoutMs/);
    expect(() => requestOptions({ retries: 11 })).toThrow('retries must be a whole number from 0 to 10, got 11');
    expect(() => positiveMs(0, 'timeoutMs')).toThrow(/positive number/);
    expect(() => positiveMs(undefined, 'timeoutMs')).not.toThrow();
  });

  it('reads wait settings: true is the defaults, an object is checked', () => {
    expect(waitSettings(undefined)).toEqual({ wait: undefined, waitMs: DEFAULT_WAIT_MS });
    expect(waitSettings(true)).toEqual({ wait: {}, waitMs: DEFAULT_WAIT_MS });
    expect(waitSettings({ timeoutMs: 10 }).waitMs).toBe(10);
    expect(() => waitSettings({ timeout: 10 } as never)).toThrow(/wait\./);
    expect(() => waitSettings('yes' as never)).toThrow(/wait must be true, false/);
  });

  it('names the action of any input in messages, bounded', () => {
    expect(describeAction({ action: 'a' })).toBe('"a"');
    expect(describeAction(undefined)).toBe('an action');
    expect(describeAction({ action: 'x'.repeat(150) })).toBe(`"${'x'.repeat(100)}…"`);
  });
});
