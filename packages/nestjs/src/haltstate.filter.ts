import { Catch, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isHaltStateError, type HaltStateErrorByCode, type HaltStateErrorCode } from '@haltstate/core';
import { throwError, type Observable } from 'rxjs';

/** The JSON body the filter answers with. */
export interface HaltStateErrorBody {
  statusCode: number;
  error: string;
  /** The HaltState error code, e.g. `HALTSTATE_ACTION_DENIED`. */
  code: HaltStateErrorCode;
  message: string;
  approvalId?: string;
  reason?: string;
  policyId?: string | null;
}

/** What a HaltState error becomes over HTTP. */
export interface HaltStateHttpResponse {
  status: number;
  body: HaltStateErrorBody;
  /** `Retry-After` (seconds) on a 429 when the service said when. */
  headers: Record<string, string>;
}

const STATUS_TEXT = { 202: 'Accepted', 403: 'Forbidden', 409: 'Conflict', 410: 'Gone', 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;

interface Answer {
  status: keyof typeof STATUS_TEXT;
  message: string;
  approvalId?: string | undefined;
  reason?: string;
  policyId?: string | null;
  retryAfterMs?: number | undefined;
}

// Messages of transport errors are never passed on: they name internal URLs and hosts.
const answers: { [C in keyof HaltStateErrorByCode]?: (error: HaltStateErrorByCode[C]) => Answer } = {
  HALTSTATE_APPROVAL_PENDING: (error) => ({ status: 202, message: 'Approval required; the action runs once a human approves it', approvalId: error.approvalId }),
  HALTSTATE_APPROVAL_TIMEOUT: (error) => ({ status: 202, message: 'Still waiting for a human decision; the action did not run', approvalId: error.approvalId }),
  HALTSTATE_ACTION_DENIED: (error) => ({ status: 403, message: error.message, reason: error.reason, policyId: error.policyId }),
  HALTSTATE_ACTION_EXPIRED: (error) => ({ status: 410, message: error.message, approvalId: error.approvalId }),
  HALTSTATE_ALREADY_EXECUTED: (error) => ({ status: 409, message: error.message, approvalId: error.approvalId }),
  HALTSTATE_IDEMPOTENCY_CONFLICT: () => ({ status: 409, message: 'This idempotency key was already used for another agent, action or params; the action did not run' }),
  HALTSTATE_KILL_SWITCH: () => ({ status: 503, message: 'The kill switch stopped this agent; the action did not run' }),
  HALTSTATE_RATE_LIMITED: (error) => ({ status: 429, message: 'The policy service is rate limiting; the action did not run', retryAfterMs: error.retryAfterMs }),
  HALTSTATE_CONNECTION: () => ({ status: 503, message: 'The policy service could not be reached; the action did not run' }),
  HALTSTATE_CLOSED: () => ({ status: 503, message: 'The HaltState client is shutting down; the action did not run' }),
  HALTSTATE_ABORTED: () => ({ status: 503, message: 'The call was aborted before a decision; the action did not run' }),
};

/**
 * The HTTP status, body and headers for a HaltState error the filter maps; undefined for any
 * other error. Recognises errors by brand and code, whichever copy or build of core made them.
 *
 * @example
 * toHttpResponse(new ActionDenied({ action: 'x', reason: 'no' }))?.status // 403
 */
export function toHttpResponse(exception: unknown): HaltStateHttpResponse | undefined {
  if (!isHaltStateError(exception)) return undefined;
  const answer = (answers[exception.code] as ((error: unknown) => Answer) | undefined)?.(exception);
  if (!answer) return undefined;
  const { status, message, approvalId, reason, policyId, retryAfterMs } = answer;
  const body: HaltStateErrorBody = {
    statusCode: status,
    error: STATUS_TEXT[status],
    code: exception.code,
    message,
    ...(approvalId === undefined ? {} : { approvalId }),
    ...(reason === undefined ? {} : { reason }),
    ...(policyId === undefined ? {} : { policyId }),
  };
  return { status, body, headers: retryAfterMs === undefined ? {} : { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } };
}

/** For `@Catch`: matches (by brand and code, not class) exactly the errors the filter maps. */
abstract class MappedHaltStateError {
  static [Symbol.hasInstance](value: unknown): boolean {
    return toHttpResponse(value) !== undefined;
  }
}

/**
 * Maps HaltState outcomes to HTTP (see the table in docs/nestjs.md): pending → 202 with the
 * approval id, denied → 403, expired → 410, already executed or a key conflict → 409, rate
 * limited → 429 with `Retry-After`, kill switch or unreachable service → 503. Other errors are
 * not caught: they reach Nest's own handling unchanged. HTTP-only: in an RPC context it answers
 * with the same body as the RPC error; in any other context (GraphQL, WebSockets) it rethrows the
 * original error untouched.
 *
 * @example
 * @UseFilters(HaltStateExceptionFilter)
 * @Controller('payments') export class PaymentsController { … }
 */
@Catch(MappedHaltStateError)
export class HaltStateExceptionFilter implements ExceptionFilter {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const answer = toHttpResponse(exception);
    const type = host.getType<string>();
    if (!answer || (type !== 'http' && type !== 'rpc')) throw exception;
    if (type === 'rpc') return throwError(() => answer.body);
    const response = host.switchToHttp().getResponse<{ setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } }>();
    const adapter = this.adapterHost?.httpAdapter;
    for (const [name, value] of Object.entries(answer.headers)) {
      if (adapter) adapter.setHeader(response, name, value);
      else response.setHeader(name, value);
    }
    if (adapter) adapter.reply(response, answer.body, answer.status);
    else response.status(answer.status).json(answer.body);
  }
}
