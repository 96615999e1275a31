// The approvals page: plain HTML, no build step, no third-party assets. Every piece of user data
// is rendered with textContent by page-script, never as HTML. The sign-in text names what
// `haltstate dev` prints (SIGN_IN_LINK), so the two never disagree.
import { SIGN_IN_LINK } from '../../hints.js';

/** The page's title; a pending count is put in front of it: `(2) HaltState local · approvals`. */
export const PAGE_TITLE = 'HaltState local · approvals';

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${PAGE_TITLE}</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
  body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin: 0; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
  .card { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; padding: 1rem; margin: .75rem 0; }
  .head { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
  .meta { color: #5b6472; font-size: .85rem; margin-top: .25rem; }
  .approval-id { font-family: ui-monospace, monospace; font-size: .85rem; color: #5b6472; background: #eef0f3; padding: .1rem .35rem; border-radius: 4px; }
  .expires-soon { color: #b35c00; font-weight: 600; }
  pre { background: #f0f2f5; padding: .5rem; border-radius: 4px; overflow: auto; white-space: pre-wrap; word-break: break-all; margin: .25rem 0; }
  details summary { cursor: pointer; color: #5b6472; font-size: .85rem; }
  dl.metadata { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: .25rem 0; font-size: .9rem; }
  dl.metadata dt { color: #5b6472; } dl.metadata dd { margin: 0; word-break: break-all; }
  dl.params { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: .25rem 0; font-family: ui-monospace, monospace; font-size: .85rem; background: #f0f2f5; padding: .5rem; border-radius: 4px; }
  dl.params dt { color: #5b6472; max-width: 16rem; overflow-wrap: anywhere; } dl.params dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
  dl.params .ruled { font-weight: 700; color: #1d2330; }
  button.expand { padding: .1rem .4rem; font-size: .75rem; font-weight: 400; }
  input { padding: .4rem; border: 1px solid #c3c9d2; border-radius: 4px; } input.reason { min-width: 16rem; }
  button { padding: .45rem .9rem; border: 0; border-radius: 4px; cursor: pointer; font-weight: 600; background: #e3e6eb; }
  .approve { background: #1f8a4c; color: #fff; } .reject { background: #c0392b; color: #fff; }
  .row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-top: .5rem; }
  #status { font-size: .85rem; color: #5b6472; } .error { color: #c0392b; }
  .approved { border-left: 4px solid #1f8a4c; } .rejected { border-left: 4px solid #c0392b; } .expired { border-left: 4px solid #8a8f98; }
</style>
</head>
<body>
<header>
  <h1>HaltState local · approvals</h1>
  <div id="who" class="row" hidden>
    <span>tenant <strong id="tenant-name"></strong></span>
    <button id="signout" type="button">Sign out</button>
  </div>
</header>
<form id="login" hidden>
  <p>Open the ${SIGN_IN_LINK} that <code>haltstate dev</code> prints for your tenant, or sign in with the
  tenant id and its admin key (the <code>adminKey</code> of the tenant in your policy file), or your own approver key.</p>
  <div class="row">
    <input id="tenant" placeholder="tenant id" required>
    <select id="key-kind" aria-label="kind of key"><option value="admin_key">admin key</option><option value="approver_key">my approver key</option></select>
    <input id="key" placeholder="key" type="password" required>
    <button type="submit">Sign in</button>
  </div>
</form>
<main id="app" hidden>
  <div class="row">
    <label>Approving as <input id="approver" placeholder="your name"></label>
    <button id="notify" type="button" hidden>Notify me of new requests</button>
    <span id="status">connecting…</span>
  </div>
  <h2>Pending <span id="count"></span></h2>
  <section id="pending" aria-live="polite"></section>
  <p id="empty" class="meta">No pending approvals. A new request appears here the moment an agent asks.</p>
  <h2>Recent decisions</h2>
  <section id="decided"></section>
</main>
<p id="error" class="error" role="alert"></p>
<script src="/page.js"></script>
</body>
</html>
`;
