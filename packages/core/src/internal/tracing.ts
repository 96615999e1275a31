// Spans of the client (haltstate.check, .guard, .guard_state, .wait, .report) and the W3C trace
// context of its requests, through `@opentelemetry/api` when it is installed. Attributes carry
// names, ids and outcomes, never params values, results or the key: only the callers below set
// them, from the fields listed in docs/observability.md.
import type * as OtelApi from '@opentelemetry/api';
import { isDecisionError, isHaltStateError } from '../errors.js';
import { SDK_VERSION } from '../version.js';
import { otel, otelReady, type Otel } from './otel.js';

export type SpanName = 'haltstate.check' | 'haltstate.guard' | 'haltstate.guard_state' | 'haltstate.wait' | 'haltstate.report';

/** Span attributes; `null` and `undefined` values are left out. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** An opaque OpenTelemetry context (the API's `Context`), carried without the API's types. */
export type TraceContext = object;

/** The span a call runs in. */
export interface SpanScope {
  /** The context with this span active, to parent requests and later work; undefined when off. */
  readonly context: TraceContext | undefined;
  /** Adds attributes (ignored when nothing records). */
  set(attributes: SpanAttributes): void;
}

const OFF: SpanScope = { context: undefined, set: () => undefined };
const TRACER_NAME = '@haltstate/core';

/** Taken per span: the SDK caches tracers by name, and a cached proxy would miss a provider set later. */
const tracer = (api: Otel) => api.trace.getTracer(TRACER_NAME, SDK_VERSION);

let noopProvider: unknown;

/**
 * Whether a tracer provider is registered. Without one every span would be a no-op: the check
 * skips the tracer, span and attribute objects a no-op span still costs on every call. The API's
 * own proxy answers its no-op provider until a provider is set; a provider registered through
 * another copy of the API (the other build of this package) is not this copy's proxy, so it
 * counts as on.
 */
function tracingOn(api: Otel): boolean {
  const provider = api.trace.getTracerProvider();
  if (!(provider instanceof api.ProxyTracerProvider)) return true;
  noopProvider ??= new api.ProxyTracerProvider().getDelegate();
  return provider.getDelegate() !== noopProvider;
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) out[name] = value;
  return out;
}

/**
 * `error.type` of a failure (OTel semantic conventions): the SDK error's stable code, or the
 * class name of any other error. Never its message, which may hold values.
 */
export function errorType(error: unknown): string {
  if (isHaltStateError(error)) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return '_OTHER';
}

/**
 * Runs `fn` in a span named `name`, a child of `parent` or of the caller's active span. A thrown
 * error ends the span with status ERROR and `error.type`, except the decision outcomes (denied,
 * pending, expired…): the gate worked, and `haltstate.decision` says how it answered.
 */
export async function inSpan<T>(name: SpanName, attributes: SpanAttributes, fn: (scope: SpanScope) => Promise<T>, parent?: TraceContext): Promise<T> {
  const ready = otelReady();
  if (ready !== undefined) await ready;
  const api = otel();
  if (api === null || !tracingOn(api)) return fn(OFF);
  const parentContext = (parent as OtelApi.Context | undefined) ?? api.context.active();
  const span = tracer(api).startSpan(name, { attributes: defined(attributes) }, parentContext);
  // No provider registered (or a sampler said no): nothing to record, nothing to keep up.
  if (!span.isRecording()) {
    span.end();
    return fn(OFF);
  }
  const context = api.trace.setSpan(parentContext, span);
  const scope: SpanScope = { context, set: (more) => span.setAttributes(defined(more)) };
  try {
    return await api.context.with(context, () => fn(scope));
  } catch (error) {
    if (isDecisionError(error)) {
      span.setAttribute('haltstate.outcome', error.code);
    } else {
      span.setAttribute('error.type', errorType(error));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    throw error;
  } finally {
    span.end();
  }
}

/** The caller's active context, to parent work that happens later (a queued report). */
export function activeContext(): TraceContext | undefined {
  return otel()?.context.active();
}

/** Sets a propagator's fields (`traceparent`, `tracestate`) on a request's Headers. */
const headersSetter: OtelApi.TextMapSetter<Headers> = { set: (headers, name, value) => headers.set(name, value) };

/**
 * Adds `traceparent` (and `tracestate`) for `context` (or the active one) to `headers`, through
 * the registered propagator. Without the API or a propagator, `headers` is left as it was.
 */
export function injectTraceContext(headers: Headers, context: TraceContext | undefined): void {
  const api = otel();
  if (api === null) return;
  api.propagation.inject((context as OtelApi.Context | undefined) ?? api.context.active(), headers, headersSetter);
}
