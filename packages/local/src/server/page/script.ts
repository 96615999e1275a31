// The approvals page's script, served as /page.js (so the page's CSP can forbid inline scripts).
// It writes user data with textContent only; the one link it makes (a metadata value) must parse
// as an http(s) URL, so a `javascript:` value stays text.
import { PAGE_TITLE } from './html.js';

export const PAGE_SCRIPT = `'use strict';
(() => {
  const TITLE = ${JSON.stringify(PAGE_TITLE)};
  // Params longer than this start folded, behind a summary.
  const FOLD_CHARACTERS = 400;
  const FOLD_LINES = 12;
  const SOON_MS = 5 * 60 * 1000;
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
  let session = null; // the signed-in session's AbortController: sign-out aborts its stream

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  const shortId = (id) => id.slice(0, 8);
  const clock = (time) => new Date(time).toLocaleString();
  function duration(ms) {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return seconds + 's';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + 'm';
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + 'h' + (minutes % 60 ? ' ' + (minutes % 60) + 'm' : '');
    return Math.floor(hours / 24) + 'd' + (hours % 24 ? ' ' + (hours % 24) + 'h' : '');
  }

  // "waiting 3m (since …) · expires in 12m (…)", refreshed every few seconds.
  function renderTimes(node) {
    const now = Date.now();
    const created = Date.parse(node.dataset.created);
    const expires = Date.parse(node.dataset.expires);
    const left = expires - now;
    node.textContent = 'waiting ' + duration(now - created) + ' (since ' + clock(created) + ') · ' + (left > 0 ? 'expires in ' + duration(left) + ' (' + clock(expires) + ')' : 'expiring now');
    node.classList.toggle('expires-soon', left < SOON_MS);
  }

  function webLink(value) {
    if (typeof value !== 'string' || !/^https?:\\/\\//i.test(value)) return null;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
    } catch {
      return null;
    }
  }

  function metadataBlock(metadata) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) return el('pre', { className: 'metadata', textContent: JSON.stringify(metadata, null, 2) });
    const list = el('dl', { className: 'metadata' });
    for (const [key, value] of Object.entries(metadata)) {
      const url = webLink(value);
      const cell = el('dd');
      if (url) cell.append(el('a', { href: url.href, textContent: value, target: '_blank', rel: 'noopener noreferrer' }));
      else cell.textContent = typeof value === 'string' ? value : JSON.stringify(value);
      list.append(el('dt', { textContent: key }), cell);
    }
    return list;
  }

  function paramsBlock(params) {
    const text = JSON.stringify(params, null, 2);
    const pre = el('pre', { className: 'params', textContent: text });
    const lines = text.split('\\n').length;
    if (text.length <= FOLD_CHARACTERS && lines <= FOLD_LINES) return [el('div', { className: 'meta', textContent: 'params' }), pre];
    return [el('details', { className: 'params-box' }, [el('summary', { textContent: 'params: ' + lines + ' lines, ' + text.length + ' characters (show)' }), pre])];
  }

  function card(approval) {
    const short = shortId(approval.approval_id);
    const node = el('article', { className: 'card ' + (approval.status === 'pending' ? '' : approval.status), id: 'approval-' + approval.approval_id }, [
      el('div', { className: 'head' }, [
        el('div', {}, [el('strong', { textContent: approval.action }), document.createTextNode(' by '), el('strong', { textContent: approval.agent_id })]),
        el('code', { className: 'approval-id', textContent: short, title: 'approval ' + approval.approval_id + ': in a terminal, haltstate approve ' + short }),
      ]),
      el('div', { className: 'meta rule', textContent: (approval.policy_reason || '') + (approval.policy_id ? ' (rule ' + approval.policy_id + ')' : '') }),
    ]);
    if (approval.status === 'pending') {
      const times = el('div', { className: 'meta times' });
      times.dataset.created = approval.created_at;
      times.dataset.expires = approval.expires_at;
      renderTimes(times);
      node.append(times);
    } else {
      node.append(el('div', { className: 'meta', textContent: 'requested ' + clock(approval.created_at) }));
    }
    node.append(...paramsBlock(approval.params));
    if (approval.metadata) node.append(el('div', { className: 'meta', textContent: 'metadata' }), metadataBlock(approval.metadata));
    if (approval.status === 'pending') {
      const reason = el('input', { placeholder: 'reason (required to reject)', className: 'reason' });
      const approve = el('button', { className: 'approve', textContent: 'Approve', type: 'button' });
      const reject = el('button', { className: 'reject', textContent: 'Reject', type: 'button' });
      approve.addEventListener('click', () => decide(approval.approval_id, 'approve', reason.value));
      reject.addEventListener('click', () => decide(approval.approval_id, 'reject', reason.value));
      node.append(el('div', { className: 'row' }, [reason, approve, reject]));
    } else {
      node.append(el('div', { className: 'meta decision', textContent: approval.status + (approval.approver ? ' by ' + approval.approver : '') + (approval.reason ? ': ' + approval.reason : '') + (approval.decided_at ? ' · ' + clock(approval.decided_at) : '') }));
    }
    return node;
  }

  // The pending count, in the heading and the tab's title; the empty-state line when none.
  function refreshCount() {
    const count = $('pending').children.length;
    $('empty').hidden = count > 0;
    $('count').textContent = count ? '(' + count + ')' : '';
    document.title = (count ? '(' + count + ') ' : '') + TITLE;
  }

  function place(approval) {
    document.getElementById('approval-' + approval.approval_id)?.remove();
    if (approval.status === 'pending') $('pending').append(card(approval));
    else $('decided').prepend(card(approval));
    refreshCount();
  }

  // Browser notifications: permission is asked only when the user clicks the button.
  const canNotify = 'Notification' in window;
  function refreshNotifyButton() {
    const button = $('notify');
    button.hidden = !canNotify;
    if (!canNotify) return;
    const permission = Notification.permission;
    button.textContent = permission === 'granted' ? 'Notifications on' : permission === 'denied' ? 'Notifications blocked (browser settings)' : 'Notify me of new requests';
    button.disabled = permission !== 'default';
  }
  $('notify').addEventListener('click', async () => {
    await Notification.requestPermission();
    refreshNotifyButton();
  });
  function announce(approval) {
    if (!canNotify || Notification.permission !== 'granted') return;
    const notification = new Notification('Approval requested: ' + approval.action, {
      body: approval.agent_id + (approval.policy_reason ? ' · ' + approval.policy_reason : '') + ' · id ' + shortId(approval.approval_id),
      tag: approval.approval_id,
    });
    notification.onclick = () => { window.focus(); notification.close(); };
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

  function signOut(message) {
    if (session) session.abort();
    session = null;
    sessionStorage.removeItem('hs.tenant');
    sessionStorage.removeItem('hs.key');
    $('pending').replaceChildren();
    $('decided').replaceChildren();
    refreshCount();
    document.title = TITLE;
    $('app').hidden = true;
    $('who').hidden = true;
    $('key').value = '';
    $('login').hidden = false;
    showError(message);
  }
  $('signout').addEventListener('click', () => signOut(''));

  // Resolves true when the list is loaded, false when the key was refused.
  async function load(signal) {
    const response = await fetch('/local/approvals?status=pending', { headers: headers(), signal });
    if (response.status === 401 || response.status === 403) return signOut('That admin key was refused.'), false;
    if (!response.ok) throw new Error('list ' + response.status);
    const data = await response.json();
    $('pending').replaceChildren(...data.approvals.map(card));
    refreshCount();
    return true;
  }

  async function stream(signal) {
    while (!signal.aborted) {
      try {
        const response = await fetch('/local/stream', { headers: headers(), signal });
        if (response.status === 401 || response.status === 403) return signOut('That admin key was refused.');
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
              $('tenant-name').textContent = event.tenant_id;
              $('who').hidden = false;
              // Load after the subscription is live, so nothing created in between is missed.
              if (!(await load(signal))) return;
              $('status').textContent = 'live';
            } else if (event.approval) {
              place(event.approval);
              if (event.type === 'APPROVAL_CREATED') announce(event.approval);
            }
          }
        }
      } catch (error) {
        if (signal.aborted) return;
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
    $('status').textContent = 'connecting…';
    $('approver').value = localStorage.getItem('hs.approver') || '';
    showError('');
    refreshNotifyButton();
    session = new AbortController();
    stream(session.signal);
  }
  setInterval(() => document.querySelectorAll('.times').forEach(renderTimes), 5000);
  start();
})();
`;
