import type { FastifyInstance } from 'fastify';
import { PAGE_HTML } from '../page/html.js';
import { PAGE_SCRIPT } from '../page/script.js';

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The approvals web page at / and its script at /page.js. */
export function pageRoutes() {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/', async (_request, reply) => reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(PAGE_HTML));
    app.get('/page.js', async (_request, reply) => reply.headers(SECURITY_HEADERS).type('text/javascript; charset=utf-8').send(PAGE_SCRIPT));
  };
}
