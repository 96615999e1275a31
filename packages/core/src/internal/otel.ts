// The one place that loads `@opentelemetry/api`, an optional peer dependency: when it is not
// installed (or fails to load) every telemetry call of the client is a no-op. The API keeps its
// providers in a process-wide registry (a global symbol), so the CommonJS and the ESM build of
// this package, each loading its own copy of the API, record to the same providers.
import type * as OtelApi from '@opentelemetry/api';

export type Otel = typeof OtelApi;

/** `undefined`: not tried yet; `null`: not installed or failed to load. */
let api: Otel | null | undefined;
let loading: Promise<void> | undefined;

const SPECIFIER = '@opentelemetry/api';

/**
 * Starts loading the API once. CommonJS (and jest) loads it synchronously with `require`; ESM
 * has no synchronous way, so it imports it and the first calls wait for that (see `otelReady`).
 */
function load(): void {
  if (api !== undefined || loading !== undefined) return;
  if (typeof require === 'function') {
    try {
      api = require(SPECIFIER) as Otel;
    } catch {
      api = null;
    }
    return;
  }
  loading = import(SPECIFIER).then(
    (loaded: Otel) => {
      api = loaded;
    },
    () => {
      api = null;
    },
  );
}

/** A promise to await before the first span when the API is still loading (ESM), else undefined. */
export function otelReady(): Promise<void> | undefined {
  load();
  return api === undefined ? loading : undefined;
}

/** The API, or null when it is absent or not loaded yet. Never throws. */
export function otel(): Otel | null {
  load();
  return api ?? null;
}
