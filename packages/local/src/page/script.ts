// The approvals page's script, served as /page.js (so the page's CSP can forbid inline scripts).
export const PAGE_SCRIPT = `'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('tenant') && hash.get('key')) {
    sessionStorage.setItem('hs.tenant', hash.get('tenant'));
    sessionStorage.setItem('hs.key', hash.get('key'));
    history.replaceState(null, '', location.pathname);
  }
  const auth = () => ({ tenant: sessionStorage.getItem('hs.tenant'), key: sessionStorage.getItem('hs.key') });
  const headers = () => ({ authorization: 'Bearer ' + auth().key, 'x-tenant-id': auth().tenant, 'content-type': 'application/json' });
  const showError = (text) => { $('error').textContent = text || ''; };

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function card(approval) {
    const when = 'requested ' + new Date(approval.created_at).toLocaleString() + ' · expires ' + new Date(approval.expires_at).toLocaleString();
    const node = el('article', { className: 'card ' + (approval.status === 'pending' ? '' : approval.status), id: 'approval-' + approval.approval_id }, [
      el('div', {}, [el('strong', { textContent: approval.action }), document.createTextNode(' by '), el('strong', { textContent: approval.agent_id })]),
      el('div', { className: 'meta', textContent: (approval.policy_reason || '') + (approval.policy_id ? ' (rule ' + approval.policy_id + ')' : '') }),
      el('div', { className: 'meta', textContent: when }),
      el('div', { className: 'meta', textContent: 'params' }),
      el('pre', { className: 'params', textContent: JSON.stringify(approval.params, null, 2) }),
    ]);
    if (approval.metadata) node.append(el('div', { className: 'meta', textContent: 'metadata' }), el('pre', { className: 'metadata', textContent: JSON.stringify(approval.metadata, null, 2) }));
    if (approval.status === 'pending') {
      const reason = el('input', { placeholder: 'reason (required to reject)', className: 'reason' });
      const approve = el('button', { className: 'approve', textContent: 'Approve', type: 'button' });
      const reject = el('button', { className: 'reject', textContent: 'Reject', type: 'button' });
      approve.addEventListener('click', () => decide(approval.approval_id, 'approve', reason.value));
      reject.addEventListener('click', () => decide(approval.approval_id, 'reject', reason.value));
      node.append(el('div', { className: 'row' }, [reason, approve, reject]));
    } else {
      node.append(el('div', { className: 'meta decision', textContent: approval.status + (approval.approver ? ' by ' + approval.approver : '') + (approval.reason ? ': ' + approval.reason : '') }));
    }
    return node;
  }

  function refreshEmpty() { $('empty').hidden = $('pending').children.length > 0; }

  function place(approval) {
    document.getElementById('approval-' + approval.approval_id)?.remove();
    if (approval.status === 'pending') $('pending').append(card(approval));
    else $('decided').prepend(card(approval));
    refreshEmpty();
  }

  async function decide(id, verb, reason) {
    const approver = $('approver').value.trim();
    if (!approver) return showError('Enter your name in "Approving as" first.');
    if (verb === 'reject' && !reason.trim()) return showError('A rejection needs a reason.');
    localStorage.setItem('hs.approver', approver);
    const body = { approver };
    if (reason.trim()) body.reason = reason.trim();
    const response = await fetch('/local/approvals/' + encodeURIComponent(id) + '/' + verb, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) return showError(data.detail || ('Request failed: ' + response.status));
    showError('');
    place(data);
  }

  function refused() {
    sessionStorage.clear();
    $('app').hidden = true;
    $('login').hidden = false;
    showError('That admin key was refused.');
  }

  // Resolves true when the list is loaded, false when the key was refused.
  async function load() {
    const response = await fetch('/local/approvals?status=pending', { headers: headers() });
    if (response.status === 401 || response.status === 403) return refused(), false;
    if (!response.ok) throw new Error('list ' + response.status);
    const data = await response.json();
    $('pending').replaceChildren(...data.approvals.map(card));
    refreshEmpty();
    return true;
  }

  async function stream() {
    for (;;) {
      try {
        const response = await fetch('/local/stream', { headers: headers() });
        if (response.status === 401 || response.status === 403) return refused();
        if (!response.ok || !response.body) throw new Error('stream ' + response.status);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const parts = buffer.split('\\n\\n');
          buffer = parts.pop();
          for (const part of parts) {
            const data = part.split('\\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\\n');
            if (!data) continue;
            const event = JSON.parse(data);
            if (event.type === 'CONNECTED') {
              // Load after the subscription is live, so nothing created in between is missed.
              if (!(await load())) return;
              $('status').textContent = 'live';
            }
            else if (event.approval) place(event.approval);
          }
        }
      } catch (error) {
        $('status').textContent = 'reconnecting…';
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('hs.tenant', $('tenant').value.trim());
    sessionStorage.setItem('hs.key', $('key').value.trim());
    start();
  });

  function start() {
    if (!auth().key) { $('login').hidden = false; return; }
    $('login').hidden = true;
    $('app').hidden = false;
    $('approver').value = localStorage.getItem('hs.approver') || '';
    showError('');
    stream();
  }
  start();
})();
`;
