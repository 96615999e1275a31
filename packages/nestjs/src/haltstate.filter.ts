import { Catch, HttpStatus, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ActionDenied, ActionExpired, ApprovalPending, HaltStateConnectionError } from '@haltstate/core';

/** The JSON body the filter answers with. */
export interface HaltStateErrorBody {
  statusCode: number;
  error: string;
  message: string;
  approvalId?: string;
  reason?: string;
  policyId?: string | null;
}

/** The HTTP status and body for a HaltState outcome. */
export function toHttpResponse(exception: ApprovalPending | ActionDenied | ActionExpired | HaltStateConnectionError): { status: number; body: HaltStateErrorBody } {
  if (exception instanceof ApprovalPending) {
    return { status: HttpStatus.ACCEPTED, body: { statusCode: 202, error: 'Accepted', message: 'Approval required; the action runs once a human approves it', approvalId: exception.approvalId } };
  }
  if (exception instanceof ActionDenied) {
    return { status: HttpStatus.FORBIDDEN, body: { statusCode: 403, error: 'Forbidden', message: exception.message, reason: exception.reason, policyId: exception.policyId } };
  }
  if (exception instanceof ActionExpired) {
    return { status: HttpStatus.GONE, body: { statusCode: 410, error: 'Gone', message: exception.message, ...(exception.approvalId ? { approvalId: exception.approvalId } : {}) } };
  }
  // Not the transport's message: it names internal URLs.
  return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { statusCode: 503, error: 'Service Unavailable', message: 'The policy service could not be reached; the action did not run' } };
}

/**
 * Maps HaltState outcomes to HTTP: `ApprovalPending` → 202 with the approval id,
 * `ActionDenied` → 403 with the reason, `ActionExpired` → 410, an unreachable service → 503.
 * Other errors pass through to Nest's handling. Opt in globally or per controller.
 *
 * @example
 * @UseFilters(HaltStateExceptionFilter)
 * @Controller('payments') export class PaymentsController { … }
 */
@Catch(ApprovalPending, ActionDenied, ActionExpired, HaltStateConnectionError)
export class HaltStateExceptionFilter implements ExceptionFilter {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(exception: ApprovalPending | ActionDenied | ActionExpired | HaltStateConnectionError, host: ArgumentsHost): void {
    const { status, body } = toHttpResponse(exception);
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) adapter.reply(response, body, status);
    else (response as { status(code: number): { json(body: unknown): void } }).status(status).json(body);
  }
}
