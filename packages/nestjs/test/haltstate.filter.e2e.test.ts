// The exception filter over real HTTP (supertest): every HaltState outcome gets a deliberate
// status and a JSON body with its code; other errors are Nest's. Outside HTTP it is HTTP-only
// by design: RPC gets the same body as its error, any other context the original error.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param, UseFilters, type INestApplication } from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { lastValueFrom, type Observable } from 'rxjs';
import request from 'supertest';
import {
  ActionAlreadyExecuted,
  ActionDenied,
  ActionExpired,
  ApprovalPending,
  ApprovalTimeoutError,
  HaltStateAuthError,
  HaltStateConnectionError,
  HaltStateClosedError,
  HaltStateAbortError,
  HaltStateExceptionFilter,
  HaltStateRateLimitError,
  IdempotencyConflictError,
  KillSwitchTriggered,
} from '@haltstate/nestjs';

const internal = 'http://10.1.2.3:8787/api/sentinel/action/guard';
const errors: Record<string, () => Error> = {
  pending: () => new ApprovalPending({ action: 'payment.process', approvalId: 'apr-1' }),
  denied: () => new ActionDenied({ action: 'payment.process', reason: 'Too large', policyId: 'limit' }),
  expired: () => new ActionExpired({ action: 'payment.process', approvalId: 'apr-2' }),
  timeout: () => new ApprovalTimeoutError({ approvalId: 'apr-3', timeoutMs: 3000 }),
  killed: () => new KillSwitchTriggered({ agentId: 'pay-bot', agentStatus: 'KILL' }),
  conflict: () => new IdempotencyConflictError(`POST ${internal} answered 409: this idempotency key was already used`, { status: 409 }),
  executed: () => new ActionAlreadyExecuted({ action: 'payment.process', approvalId: 'apr-4', idempotencyKey: 'payment-INV-1', executedAt: '2025-01-01T00:00:00.000Z' }),
  limited: () => new HaltStateRateLimitError(`POST ${internal} answered 429`, { status: 429, retryAfterMs: 2_500 }),
  limitedNoHint: () => new HaltStateRateLimitError(`POST ${internal} answered 429`, { status: 429 }),
  unreachable: () => new HaltStateConnectionError(`POST ${internal} failed: connect ECONNREFUSED 10.1.2.3:8787`),
  closed: () => new HaltStateClosedError('The HaltState client was closed'),
  aborted: () => new HaltStateAbortError('The call was aborted'),
  auth: () => new HaltStateAuthError(`POST ${internal} answered 401`, { status: 401 }),
  plain: () => new Error('not ours'),
};

@UseFilters(HaltStateExceptionFilter)
@Controller('outcomes')
class OutcomesController {
  @Get(':kind')
  fail(@Param('kind') kind: string) {
    throw errors[kind]!();
  }
}
/** A provider run through Nest's external context creator, as GraphQL resolvers are. */
@UseFilters(HaltStateExceptionFilter)
@Injectable()
class OutcomesResolver {
  fail(kind: string) {
    throw errors[kind]!();
  }
}
@Module({ controllers: [OutcomesController], providers: [OutcomesResolver] })
class OutcomesModule {}

let app: INestApplication;
beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ imports: [OutcomesModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
});
afterAll(() => app.close());

describe('HaltStateExceptionFilter over HTTP', () => {
  it.each([
    ['pending', 202, { error: 'Accepted', code: 'HALTSTATE_APPROVAL_PENDING', approvalId: 'apr-1' }],
    ['denied', 403, { error: 'Forbidden', code: 'HALTSTATE_ACTION_DENIED', message: 'Action "payment.process" denied: Too large', reason: 'Too large', policyId: 'limit' }],
    ['expired', 410, { error: 'Gone', code: 'HALTSTATE_ACTION_EXPIRED', approvalId: 'apr-2' }],
    ['timeout', 202, { error: 'Accepted', code: 'HALTSTATE_APPROVAL_TIMEOUT', approvalId: 'apr-3' }],
    ['killed', 503, { error: 'Service Unavailable', code: 'HALTSTATE_KILL_SWITCH' }],
    ['conflict', 409, { error: 'Conflict', code: 'HALTSTATE_IDEMPOTENCY_CONFLICT' }],
    ['executed', 409, { error: 'Conflict', code: 'HALTSTATE_ALREADY_EXECUTED', approvalId: 'apr-4' }],
    ['limited', 429, { error: 'Too Many Requests', code: 'HALTSTATE_RATE_LIMITED' }],
    ['unreachable', 503, { error: 'Service Unavailable', code: 'HALTSTATE_CONNECTION' }],
    ['closed', 503, { error: 'Service Unavailable', code: 'HALTSTATE_CLOSED' }],
    ['aborted', 503, { error: 'Service Unavailable', code: 'HALTSTATE_ABORTED' }],
  ])('%s → %i with its code', async (kind, status, fields) => {
    const response = await request(app.getHttpServer()).get(`/outcomes/${kind}`).expect(status).expect('content-type', /json/);
    expect(response.body).toEqual({ statusCode: status, message: expect.stringMatching(/\S/), ...fields });
    // No internal URL or host ever reaches the HTTP client.
    expect(JSON.stringify(response.body)).not.toMatch(/10\.1\.2\.3|api\/sentinel/);
  });

  it('429 says when to retry, in whole seconds, when the service said', async () => {
    const limited = await request(app.getHttpServer()).get('/outcomes/limited').expect(429);
    expect(limited.headers['retry-after']).toBe('3');
    const noHint = await request(app.getHttpServer()).get('/outcomes/limitedNoHint').expect(429);
    expect(noHint.headers['retry-after']).toBeUndefined();
  });

  it('other errors, HaltState ones without a mapping included, go to Nest unchanged', async () => {
    await request(app.getHttpServer()).get('/outcomes/auth').expect(500, { statusCode: 500, message: 'Internal server error' });
    await request(app.getHttpServer()).get('/outcomes/plain').expect(500, { statusCode: 500, message: 'Internal server error' });
  });
});

describe('HaltStateExceptionFilter outside HTTP', () => {
  // Nest's external context creator: what GraphQL resolvers run through, here with any context type.
  const handlerFor = (type: string) => {
    const resolver = app.get(OutcomesResolver);
    return app.get(ExternalContextCreator).create(resolver, resolver.fail as (...args: unknown[]) => unknown, 'fail', undefined, undefined, undefined, undefined, undefined, type) as (kind: string) => Promise<unknown>;
  };

  it('rpc: the same body, as the RPC error (no internal URL)', async () => {
    const answer = (await handlerFor('rpc')('unreachable')) as Observable<unknown>;
    await expect(lastValueFrom(answer)).rejects.toEqual({ statusCode: 503, error: 'Service Unavailable', code: 'HALTSTATE_CONNECTION', message: expect.any(String) });
  });

  it('graphql and others: the original error, rethrown untouched', async () => {
    const denial = errors.denied!();
    errors.once = () => denial;
    await expect(handlerFor('graphql')('once')).rejects.toBe(denial);
  });
});
