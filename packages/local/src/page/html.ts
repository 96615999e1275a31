// The approvals page: plain HTML, no build step, no third-party assets. Every piece of user data
// is rendered with textContent by page-script, never as HTML.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HaltState local · approvals</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
  body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  .card { background: #fff; border: 1px solid #d8dce3; border-radius: 8px; padding: 1rem; margin: .75rem 0; }
  .meta { color: #5b6472; font-size: .85rem; }
  pre { background: #f0f2f5; padding: .5rem; border-radius: 4px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
  input { padding: .4rem; border: 1px solid #c3c9d2; border-radius: 4px; }
  button { padding: .45rem .9rem; border: 0; border-radius: 4px; cursor: pointer; font-weight: 600; }
  .approve { background: #1f8a4c; color: #fff; } .reject { background: #c0392b; color: #fff; }
  .row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-top: .5rem; }
  #status { font-size: .85rem; color: #5b6472; } .error { color: #c0392b; }
  .approved { border-left: 4px solid #1f8a4c; } .rejected { border-left: 4px solid #c0392b; } .expired { border-left: 4px solid #8a8f98; }
</style>
</head>
<body>
<h1>HaltState local · pending approvals</h1>
<form id="login" hidden>
  <p>Sign in with the tenant's admin key (printed by <code>haltstate dev</code>).</p>
  <div class="row">
    <input id="tenant" placeholder="tenant id" required>
    <input id="key" placeholder="admin key" type="password" required>
    <button type="submit">Sign in</button>
  </div>
</form>
<main id="app" hidden>
  <div class="row"><label>Approving as <input id="approver" placeholder="your name"></label><span id="status">connecting…</span></div>
  <section id="pending" aria-live="polite"></section>
  <p id="empty" class="meta">No pending approvals.</p>
  <h2>Recent decisions</h2>
  <section id="decided"></section>
</main>
<p id="error" class="error" role="alert"></p>
<script src="/page.js"></script>
</body>
</html>
`;
