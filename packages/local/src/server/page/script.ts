// The approvals page's script, served as /page.js (so the page's CSP can forbid inline scripts).
// It writes user data with textContent only; the one link it makes (a metadata value) must parse
// as an http(s) URL, so a `javascript:` value stays text.
import { INVISIBLE_CHARACTERS } from '../../invisible-characters.js';
import { PAGE_TITLE } from './html.js';

export const PAGE_SCRIPT = `'use strict';
(() => {
  const TITLE = ${JSON.stringify(PAGE_TITLE)};
  // A value longer than this shows its start and a button for the rest; so many params show at once.
  const VALUE_CHARACTERS = 240;
  const PARAMS_SHOWN = 40;
  // A pending list longer than this many pages is cut, with a note (pendingPerTenant bounds it anyway).
  const MAX_PAGES = 20;
  const SOON_MS = 5 * 60 * 1000;
  const INVISIBLE = new RegExp(${JSON.stringify(INVISIBLE_CHARACTERS.source)}, 'g');
  const $ = (id) => document.getElementById(id);
  const auth = () => ({ tenant: sessionStorage.getItem('hs.tenant'), token: sessionStorage.getItem('hs.session') });
  const headers = () => ({ authorization: 'Bearer ' + auth().token, 'x-tenant-id': auth().tenant, 'content-type': 'application/json' });
  const showError = (text) => { $('error').textContent = text || ''; };

  // Control, bidi and invisible characters as visible marks: an agent cannot reorder or hide text.
  const visible = (text) => String(text).replace(INVISIBLE, (match) => match.split('').map((unit) => '⟦U+' + unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + '⟧').join(''));

  // Sign-in: a one-time code (or, typed in, the admin key) is exchanged for a session token kept in
  // this tab's sessionStorage. The code leaves the address bar before it is even sent, and works once.
  async function signIn(body) {
    const response = await fetch('/local/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok || !data.token) return showError(response.status === 401 ? 'Sign-in refused: that link was used already (each works once) or the key is wrong. Run npx --no-install haltstate sign-in-link for a new one.' : (data.detail || 'Sign-in failed: ' + response.status)), false;
    sessionStorage.setItem('hs.tenant', data.tenant_id);
    sessionStorage.setItem('hs.session', data.token);
    // An approver's session decides as that approver: the server records who signed in.
    if (data.approver_id) sessionStorage.setItem('hs.approver-id', data.approver_id);
    else sessionStorage.removeItem('hs.approver-id');
    return true;
  }
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
    if (typeof metadata !== 'object' || Array.isArray(metadata)) return el('pre', { className: 'metadata', textContent: visible(JSON.stringify(metadata, null, 2)).slice(0, 2000) });
    const list = el('dl', { className: 'metadata' });
    for (const [key, value] of Object.entries(metadata)) {
      const url = webLink(value);
      const cell = el('dd');
      if (url) cell.append(el('a', { href: url.href, textContent: value, target: '_blank', rel: 'noopener noreferrer' }));
      else cell.textContent = visible(typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 2000);
      list.append(el('dt', { textContent: visible(key) }), cell);
    }
    return list;
  }

  // A value's text, cut at VALUE_CHARACTERS with a button that shows the rest on demand.
  function valueCell(text, className) {
    const shownText = visible(text);
    const cell = el('dd', { className: className || '' });
    if (shownText.length <= VALUE_CHARACTERS) { cell.textContent = shownText; return cell; }
    const value = el('span', { className: 'value', textContent: shownText.slice(0, VALUE_CHARACTERS) + '…' });
    const more = el('button', { type: 'button', className: 'expand', textContent: 'show all ' + shownText.length + ' characters' });
    more.addEventListener('click', () => { value.textContent = shownText; more.remove(); });
    cell.append(value, ' ', more);
    return cell;
  }

  // Params as a list: first the ones the approval's rule looked at (so a long or cunning field
  // cannot push them out of sight), then the rest, each value cut to a few lines.
  function paramsBlock(params, ruleFields) {
    const label = el('div', { className: 'meta', textContent: 'params' });
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return [label, el('dl', { className: 'params' }, [valueCell(JSON.stringify(params))])];
    const names = Object.keys(params);
    const ruled = (ruleFields || []).filter((name) => names.includes(name));
    const ordered = [...ruled, ...names.filter((name) => !ruled.includes(name))];
    const list = el('dl', { className: 'params' });
    const row = (name) => {
      const isRuled = ruled.includes(name);
      const term = el('dt', { className: isRuled ? 'ruled' : '', textContent: visible(name) });
      if (isRuled) term.title = 'the rule that asked for this approval looks at this field';
      list.append(term, valueCell(JSON.stringify(params[name]), isRuled ? 'ruled' : ''));
    };
    ordered.slice(0, PARAMS_SHOWN).forEach(row);
    const block = [label, list];
    if (ordered.length > PARAMS_SHOWN) {
      const rest = el('button', { type: 'button', className: 'expand', textContent: 'show ' + (ordered.length - PARAMS_SHOWN) + ' more params' });
      rest.addEventListener('click', () => { ordered.slice(PARAMS_SHOWN).forEach(row); rest.remove(); });
      block.push(rest);
    }
    if (ruled.length) label.textContent = 'params (the rule looks at ' + ruled.map(visible).join(', ') + ': shown first)';
    return block;
  }

  function card(approval) {
    const short = shortId(approval.approval_id);
    const node = el('article', { className: 'card ' + (approval.status === 'pending' ? '' : approval.status), id: 'approval-' + approval.approval_id }, [
      el('div', { className: 'head' }, [
        el('div', {}, [el('strong', { className: 'action', textContent: visible(approval.action) }), document.createTextNode(' by '), el('strong', { className: 'agent', textContent: visible(approval.agent_id) })]),
        el('code', { className: 'approval-id', textContent: short, title: 'approval ' + approval.approval_id + ': in a terminal, haltstate approve ' + short }),
      ]),
      el('div', { className: 'meta rule', textContent: visible((approval.policy_reason || '') + (approval.policy_id ? ' (rule ' + approval.policy_id + ')' : '')) }),
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
    node.append(...paramsBlock(approval.params, approval.rule_fields));
    if (approval.metadata) node.append(el('div', { className: 'meta', textContent: 'metadata' }), metadataBlock(approval.metadata));
    if (approval.status === 'pending') {
      const reason = el('input', { placeholder: 'reason (required to reject)', className: 'reason' });
      const approve = el('button', { className: 'approve', textContent: 'Approve', type: 'button' });
      const reject = el('button', { className: 'reject', textContent: 'Reject', type: 'button' });
      approve.addEventListener('click', () => decide(approval.approval_id, 'approve', reason.value));
      reject.addEventListener('click', () => decide(approval.approval_id, 'reject', reason.value));
      node.append(el('div', { className: 'row' }, [reason, approve, reject]));
    } else {
      node.append(el('div', { className: 'meta decision', textContent: visible(approval.status + (approval.approver ? ' by ' + approval.approver : '') + (approval.reason ? ': ' + approval.reason : '') + (approval.decided_at ? ' · ' + clock(approval.decided_at) : '')) }));
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
    const notification = new Notification('Approval requested: ' + visible(approval.action).slice(0, 200), {
      body: visible(approval.agent_id + (approval.policy_reason ? ' · ' + approval.policy_reason : '')).slice(0, 300) + ' · id ' + shortId(approval.approval_id),
      tag: approval.approval_id,
    });
    notification.onclick = () => { window.focus(); notification.close(); };
  }

  async function decide(id, verb, reason) {
    const signedInAs = sessionStorage.getItem('hs.approver-id');
    const approver = $('approver').value.trim();
    if (!signedInAs && !approver) return showError('Enter your name in "Approving as" first.');
    if (verb === 'reject' && !reason.trim()) return showError('A rejection needs a reason.');
    if (!signedInAs) localStorage.setItem('hs.approver', approver);
    const body = signedInAs ? {} : { approver };
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
    if (auth().token) fetch('/local/session', { method: 'DELETE', headers: { authorization: 'Bearer ' + auth().token } }).catch(() => undefined);
    sessionStorage.removeItem('hs.tenant');
    sessionStorage.removeItem('hs.session');
    sessionStorage.removeItem('hs.approver-id');
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
    const approvals = [];
    let cursor = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await fetch('/local/approvals?status=pending' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''), { headers: headers(), signal });
      if (response.status === 401 || response.status === 403) return signOut('The session ended (the server restarted?): sign in again.'), false;
      if (!response.ok) throw new Error('list ' + response.status);
      const data = await response.json();
      approvals.push(...data.approvals);
      cursor = data.next_cursor;
      if (!cursor) break;
    }
    $('pending').replaceChildren(...approvals.map(card));
    showError(cursor ? 'Showing the oldest ' + approvals.length + ' pending approvals; decide some to see the rest (or use haltstate approvals).' : '');
    refreshCount();
    return true;
  }

  async function stream(signal) {
    while (!signal.aborted) {
      try {
        const response = await fetch('/local/stream', { headers: headers(), signal });
        if (response.status === 401 || response.status === 403) return signOut('The session ended (the server restarted?): sign in again.');
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

  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const ok = await signIn({ tenant_id: $('tenant').value.trim(), [$('key-kind').value === 'approver_key' ? 'approver_key' : 'admin_key']: $('key').value.trim() });
    $('key').value = '';
    if (ok) start();
  });

  function start() {
    if (!auth().token) { $('login').hidden = false; return; }
    $('login').hidden = true;
    $('app').hidden = false;
    $('status').textContent = 'connecting…';
    const signedInAs = sessionStorage.getItem('hs.approver-id');
    $('approver').value = signedInAs || localStorage.getItem('hs.approver') || '';
    $('approver').readOnly = Boolean(signedInAs);
    showError('');
    refreshNotifyButton();
    session = new AbortController();
    stream(session.signal);
  }
  setInterval(() => document.querySelectorAll('.times').forEach(renderTimes), 5000);
  // A sign-in link: take the code (or an old-style tenant+key link) out of the address bar first,
  // so neither the history nor a screenshot keeps it, then exchange it.
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('code') || hash.get('key')) {
    history.replaceState(null, '', location.pathname);
    const body = hash.get('code') ? { code: hash.get('code') } : { tenant_id: hash.get('tenant') || '', admin_key: hash.get('key') };
    signIn(body).then((ok) => (ok ? start() : ($('login').hidden = false)));
  } else start();
})();
`;
