// Whatever @HaltStateGuard is given, it either makes a decorator or throws a typed error that
// names the option; it never throws something untyped, and never at call time for bad options.
import 'reflect-metadata';
import fc from 'fast-check';
import { HaltStateValidationError } from '@haltstate/core';
import { HaltStateGuard } from '@haltstate/decorators';

it('any options: a decorator or a HaltStateValidationError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        fc.record({ action: fc.oneof(fc.string({ unit: 'grapheme' }), fc.anything()), agentId: fc.anything(), params: fc.oneof(fc.func(fc.dictionary(fc.string(), fc.jsonValue())), fc.anything()), idempotencyKey: fc.oneof(fc.func(fc.string()), fc.anything()), wait: fc.anything() }, { requiredKeys: [] }),
      ),
      fc.option(fc.string()),
      (options, agentId) => {
        try {
          const decorator = HaltStateGuard(options as never, agentId ?? undefined);
          expect(typeof decorator).toBe('function');
        } catch (error) {
          expect(error).toBeInstanceOf(HaltStateValidationError);
          expect((error as HaltStateValidationError).path).toEqual(expect.any(String));
        }
      },
    ),
    { numRuns: 1000 },
  );
});
