import type { ApproverDirectory } from './approvers.js';
import type { EventHub } from './events.js';
import type { ServerLimits } from './limits.js';
import type { Policy } from './policy/schema.js';
import type { Sessions } from './sessions.js';
import type { Store } from './store/store.js';
import type { TenantDirectory } from './tenants.js';

/** What every route needs. `policy()` is a function so a reload takes effect at once. */
export interface ServerContext {
  store: Store;
  tenants: TenantDirectory;
  hub: EventHub;
  policy: () => Policy;
  keepAliveMs: number;
  limits: ServerLimits;
  /** The approvals page's one-time sign-in codes and session tokens. */
  sessions: Sessions;
  /** The tenants' approvers, and whether deciding needs one (`approvers.required`). */
  approvers: ApproverDirectory;
  /** Epoch milliseconds, for the rate limits (tests pass a fake clock). */
  clock?: () => number;
}
