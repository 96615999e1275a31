import { HaltStateValidationError, isHaltStateClient, paramsFromArguments, type ExecuteInput } from '@haltstate/core';
import { resolveClient, trackGuardedClass } from './client-resolver.js';
import { assertNamesTrusted } from './default-params.js';
import { GUARD_MARKER } from './haltstate.constants.js';
import type { GuardedMethod, HaltStateGuardOptions } from './haltstate-guard.interface.js';
import { defineGuardMetadata } from './metadata.js';

declare const misuse: unique symbol;

/**
 * What `@HaltStateGuard` returns where it is misused, so that TypeScript's error shows the
 * message, e.g. `Decorator function return type 'HaltStateGuardMisuse<"@HaltStateGuard goes on
 * methods, not getters">' is not assignable to …` (rather than "Unable to resolve signature").
 *
 * @example
 * // error TS1270: Decorator function return type 'HaltStateGuardMisuse<"@HaltStateGuard goes on methods, not getters or setters">' …
 * @HaltStateGuard('report.total') get total() { return 1; }
 */
export type HaltStateGuardMisuse<Message extends string> = Message & { readonly [misuse]: never };

/** `true` when a callback taking `Expected` can be called with the method's `Passed` arguments (fewer is fine). */
type Fits<Passed extends unknown[], Expected extends unknown[]> = ((...args: Expected) => unknown) extends (...args: Passed) => unknown ? true : false;

type CallbackMisuse<Name extends string> = `@HaltStateGuard: ${Name} must accept the method's arguments (the same types; it may take fewer)`;

/** `Ok` when `params`, `idempotencyKey` and `metadata` each accept the method's arguments; else the first misuse. */
type Checked<Passed extends unknown[], Args extends unknown[], KeyArgs extends unknown[], MetadataArgs extends unknown[], Ok> =
  Fits<Passed, Args> extends false ? HaltStateGuardMisuse<CallbackMisuse<'params'>>
  : Fits<Passed, KeyArgs> extends false ? HaltStateGuardMisuse<CallbackMisuse<'idempotencyKey'>>
  : Fits<Passed, MetadataArgs> extends false ? HaltStateGuardMisuse<CallbackMisuse<'metadata'>>
  : Ok;

/**
 * The decorator `@HaltStateGuard(…)` returns. It works as a legacy decorator
 * (`experimentalDecorators`, what NestJS and tsyringe use) and as a TC39 standard decorator. In
 * both it checks the option callbacks against the method it decorates, and refuses getters,
 * setters and fields, each with a compile error whose message says what is wrong (see
 * {@link HaltStateGuardMisuse}).
 */
export interface HaltStateMethodDecorator<Args extends unknown[], KeyArgs extends unknown[] = Args, MetadataArgs extends unknown[] = Args> {
  /** A method, legacy decorators. */
  <Passed extends unknown[], Result>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<(...args: Passed) => Result>): Checked<Passed, Args, KeyArgs, MetadataArgs, void>;
  /** A method, TC39 decorators. */
  <This, Passed extends unknown[], Result>(
    value: (this: This, ...args: Passed) => Result,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Passed) => Result>,
  ): Checked<Passed, Args, KeyArgs, MetadataArgs, (this: This, ...args: Passed) => Result>;
  /** A getter or setter, legacy decorators (their descriptors look alike to TypeScript). */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): HaltStateGuardMisuse<'@HaltStateGuard goes on methods, not getters or setters'>;
  /** A getter, TC39 decorators. */
  (value: unknown, context: ClassGetterDecoratorContext): HaltStateGuardMisuse<'@HaltStateGuard goes on methods, not getters'>;
  /** A setter, TC39 decorators. */
  (value: unknown, context: ClassSetterDecoratorContext): HaltStateGuardMisuse<'@HaltStateGuard goes on methods, not setters'>;
  /** A field or accessor, TC39 decorators. */
  (value: unknown, context: ClassFieldDecoratorContext | ClassAccessorDecoratorContext): HaltStateGuardMisuse<'@HaltStateGuard goes on methods, not fields'>;
  /** A field, legacy decorators. */
  (target: object, propertyKey: string | symbol): HaltStateGuardMisuse<'@HaltStateGuard goes on methods, not fields'>;
}

function normalise(first: string | HaltStateGuardOptions<unknown[]>, agentId: string | undefined): HaltStateGuardOptions<unknown[]> {
  const options = typeof first === 'string' ? { action: first, ...(agentId === undefined ? {} : { agentId }) } : first;
  if (typeof options !== 'object' || options === null) throw new HaltStateValidationError('@HaltStateGuard needs an action: @HaltStateGuard("payment.process") or @HaltStateGuard({ action, … })', { path: 'action' });
  if (typeof options.action !== 'string' || options.action.trim() === '') throw new HaltStateValidationError('@HaltStateGuard needs a non-empty action name, e.g. "payment.process"', { path: 'action' });
  for (const key of ['params', 'idempotencyKey', 'metadata'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new HaltStateValidationError(`@HaltStateGuard option ${key} must be a function of the method's arguments`, { path: key });
  }
  return options;
}

/** Wraps the method: each call resolves the client, then check → run → report (or guard with a key). */
function wrap(original: Function, options: HaltStateGuardOptions<unknown[]>, label: string, owner: () => Function): Function {
  const { action, agentId, params, idempotencyKey, metadata, wait, client, report, request, mode } = options;
  const guarded = async function (this: object, ...args: unknown[]): Promise<unknown> {
    // By brand, not instanceof: the client may come from the other build of core (ESM vs CommonJS).
    const resolved = isHaltStateClient(client) ? client : resolveClient({ name: client, instance: this, target: owner() }, label);
    const input: ExecuteInput = {
      action,
      params: params ? params(...args) : paramsFromArguments(original as (...args: never[]) => unknown, args),
      ...(agentId === undefined ? {} : { agentId }),
      ...(idempotencyKey ? { idempotencyKey: idempotencyKey(...args) } : {}),
      ...(metadata ? { metadata: metadata(...args) } : {}),
      ...(wait === undefined ? {} : { wait }),
      ...(report === undefined ? {} : { report }),
      ...(mode === undefined ? {} : { mode }),
    };
    return resolved.execute(input, () => original.apply(this, args), request);
  };
  Object.defineProperty(guarded, 'name', { value: original.name });
  // Frameworks keep route and handler metadata on the method itself (NestJS's @Get, @HttpCode):
  // carry it over, so @HaltStateGuard may sit above or below them.
  if (typeof Reflect.getOwnMetadataKeys === 'function') {
    for (const key of Reflect.getOwnMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), guarded);
  }
  return guarded;
}

/**
 * Gates a method through HaltState: every call is checked (or guarded, with an idempotency key)
 * before the method runs, and its outcome reported. Denied → `ActionDenied`; pending →
 * `ApprovalPending` unless `wait`. The method always becomes async.
 *
 * @example
 * class PaymentService {
 *   @HaltStateGuard('payment.process', 'payment-bot')
 *   async pay(invoiceId: string, amount: number) { … }
 * }
 */
export function HaltStateGuard(action: string, agentId?: string): HaltStateMethodDecorator<unknown[]>;
export function HaltStateGuard<Args extends unknown[] = unknown[], KeyArgs extends unknown[] = Args, MetadataArgs extends unknown[] = Args>(
  options: HaltStateGuardOptions<Args, KeyArgs, MetadataArgs>,
): HaltStateMethodDecorator<Args, KeyArgs, MetadataArgs>;
export function HaltStateGuard(first: string | HaltStateGuardOptions<unknown[]>, agentId?: string): HaltStateMethodDecorator<unknown[]> {
  const options = normalise(first, agentId);
  const decorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): unknown => {
    // TC39 standard decorator: (value, context).
    if (typeof keyOrContext === 'object' && keyOrContext !== null && 'kind' in keyOrContext) {
      const context = keyOrContext as ClassMethodDecoratorContext;
      if (context.kind !== 'method') throw new HaltStateValidationError(`@HaltStateGuard goes on methods; ${String(context.name)} is a ${context.kind}`, { path: String(context.name) });
      if (!options.params) assertNamesTrusted(target as Function, String(context.name));
      let owner: Function = Object;
      context.addInitializer(function (this: unknown) {
        owner = context.static ? (this as Function) : ((this as object).constructor as Function);
        trackGuardedClass(owner);
      });
      const wrapped = wrap(target as Function, options, String(context.name), () => owner);
      mark(wrapped, { method: context.name, static: context.static, options });
      return wrapped;
    }
    // Legacy decorator: (prototype or class, key, descriptor).
    const key = keyOrContext as string | symbol;
    const isStatic = typeof target === 'function';
    const owner = (isStatic ? target : (target as object).constructor) as Function;
    const label = `${owner.name}.${String(key)}`;
    if (!descriptor) throw new HaltStateValidationError(`@HaltStateGuard goes on methods; ${label} is a field`, { path: String(key) });
    if (typeof descriptor.value !== 'function') throw new HaltStateValidationError(`@HaltStateGuard goes on methods; ${label} is a ${descriptor.get ? 'getter' : 'setter'}`, { path: String(key) });
    if (!options.params) assertNamesTrusted(descriptor.value as Function, label);
    const entry = { method: key, static: isStatic, options };
    descriptor.value = wrap(descriptor.value as Function, options, label, () => owner);
    mark(descriptor.value as Function, entry);
    defineGuardMetadata(owner, entry);
    trackGuardedClass(owner);
    return descriptor;
  };
  return decorator as HaltStateMethodDecorator<unknown[]>;
}

function mark(fn: Function, entry: GuardedMethod): void {
  Object.defineProperty(fn, GUARD_MARKER, { value: entry });
}

