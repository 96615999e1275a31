// Bundled by test/minified.test.ts with esbuild (minified or not, legacy or TC39 decorators)
// and run with node. Prints what happened as JSON.
import 'reflect-metadata';
import { HaltStateClient } from '@haltstate/core';
import { HaltStateGuard } from '@haltstate/decorators';

const sent: unknown[] = [];
const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  const body = (await request.json()) as { params?: unknown };
  if (body.params) sent.push(body.params);
  return new Response(JSON.stringify({ decision: 'ALLOW' }), { status: 200, headers: { 'content-type': 'application/json' } });
};
const client = new HaltStateClient({ tenantId: 'acme', apiKey: 'hs_minified_key_value', baseUrl: 'https://haltstate.test', agentId: 'login-bot', retries: 0, fetch });

/** Params named from the parameter list: refused when a minifier renamed them. */
function defineNamed() {
  class Auth {
    @HaltStateGuard({ action: 'auth.login', client, report: false })
    async login(username: string, password: string) {
      return `welcome ${username}${password ? '' : '?'}`;
    }
  }
  return new Auth();
}

/** Explicit params: object keys survive minification. */
function defineExplicit() {
  class Auth {
    @HaltStateGuard({ action: 'auth.login', client, report: false, params: (username: string, password: string) => ({ username, password }) })
    async login(username: string, password: string) {
      return `welcome ${username}${password ? '' : '?'}`;
    }
  }
  return new Auth();
}

async function attempt(define: () => { login(username: string, password: string): Promise<string> }) {
  try {
    const auth = define();
    return { ran: await auth.login('bob', 'hunter2') };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { refused: { code, message } };
  }
}

async function main() {
  const named = await attempt(defineNamed);
  const explicit = await attempt(defineExplicit);
  console.log(JSON.stringify({ named, explicit, sent }));
}

void main();
