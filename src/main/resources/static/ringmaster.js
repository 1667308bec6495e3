// Ringmaster's dashboard: plain JavaScript over the REST API, no build step. Every value reaches the page as a text
// node (el() below), never as HTML, so a service name or a comment with markup shows as text. The API token lives in
// this tab's sessionStorage and goes out as an Authorization header only.
'use strict';

const TOKEN_KEY = 'ringmaster.token';
const POLL_MS = 2000;
const PAGE_SIZE = 50;

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function api(path, options = {}) {
  const response = await fetch(path, {
    method: options.method || 'GET',
    cache: 'no-store',
    headers: { 'Authorization': 'Bearer ' + token(), 'Content-Type': 'application/json', 'X-Ringmaster-Client': 'dashboard' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  let body = null;
  try { body = await response.json(); } catch (notJson) { body = null; }
  if (!response.ok) {
    const error = new Error((body && body.error) || ('HTTP ' + response.status));
    error.status = response.status;
    error.details = (body && body.details) || [];
    throw error;
  }
  return body;
}

/** An element with attributes and children; strings become text nodes (escaped by construction). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function time(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

function left(iso) {
  if (!iso) return '';
  const s = Math.round((new Date(iso) - Date.now()) / 1000);
  if (s <= 0) return 'soak over';
  return (s >= 3600 ? Math.floor(s / 3600) + ' h ' : '') + (s >= 60 ? Math.floor(s % 3600 / 60) + ' min ' : '') + (s % 60) + ' s left';
}

function num(v) {
  if (v === null || v === undefined) return 'none';
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : Number(v).toPrecision(4);
}

// ---- sign-in -------------------------------------------------------------------------------------------------------

let me = null;

async function signIn(start) {
  const form = document.getElementById('signin-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
    document.getElementById('token').value = '';
    await enter(start);
  });
  if (token()) await enter(start); else document.getElementById('signin').hidden = false;
}

async function enter(start) {
  try {
    me = await api('/api/me');
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById('signin').hidden = false;
    document.getElementById('signin-error').textContent = e.status === 401 ? 'That token is not valid.' : e.message;
    return;
  }
  document.getElementById('signin').hidden = true;
  document.getElementById('content').hidden = false;
  const who = document.getElementById('who');
  who.replaceChildren(el('span', { id: 'identity' }, me.identity + ' (' + me.roles.join(', ') + ')'),
    el('button', { id: 'signout', type: 'button' }, 'Sign out'));
  document.getElementById('signout').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });
  start();
}

function may(role) { return me && (me.roles.includes(role) || me.roles.includes('admin')); }

function live(refresh) {
  const tick = async () => {
    try {
      await refresh();
      document.getElementById('error').textContent = '';
    } catch (e) {
      document.getElementById('error').textContent = e.message;
    }
    setTimeout(tick, POLL_MS);
  };
  tick();
}

// ---- the list ------------------------------------------------------------------------------------------------------

function listPage() {
  let page = 0;
  const service = document.getElementById('f-service');
  const state = document.getElementById('f-state');
  const params = new URLSearchParams(location.search);
  service.value = params.get('service') || '';
  state.value = params.get('state') || '';
  let latest = [];
  const render = () => {
    const pages = Math.max(1, Math.ceil(latest.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const rows = latest.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((r) => el('tr', { class: r.phase === 'AWAITING_APPROVAL' ? 'awaiting' : null, 'data-id': r.id },
      el('td', {}, el('a', { href: '/rollouts/' + encodeURIComponent(r.id) }, r.service)),
      el('td', {}, r.version),
      el('td', {}, r.phase === 'AWAITING_APPROVAL' ? 'awaiting approval of ' + (r.awaiting || '') : r.phase),
      el('td', {}, r.currentRing ? r.currentRing + (r.currentAudience ? ' (' + r.currentAudience + ')' : '') : ''),
      el('td', {}, el('span', { class: 'badge ' + r.state }, r.state)),
      el('td', {}, time(r.startedAt)),
      el('td', {}, r.triggeredBy || '')));
    document.querySelector('#rollouts tbody').replaceChildren(...rows);
    document.getElementById('page').textContent = 'page ' + (page + 1) + ' of ' + pages;
    document.getElementById('count').textContent = latest.length + ' rollout(s)';
    document.getElementById('prev').disabled = page === 0;
    document.getElementById('next').disabled = page >= pages - 1;
  };
  document.getElementById('prev').addEventListener('click', () => { page--; render(); });
  document.getElementById('next').addEventListener('click', () => { page++; render(); });
  const refresh = async () => {
    const q = new URLSearchParams();
    if (service.value.trim()) q.set('service', service.value.trim());
    if (state.value) q.set('state', state.value);
    const list = await api('/api/rollouts' + (q.toString() ? '?' + q : ''));
    // Awaiting approval first, then newest first (the API's order).
    latest = list.filter((r) => r.phase === 'AWAITING_APPROVAL').concat(list.filter((r) => r.phase !== 'AWAITING_APPROVAL'));
    render();
  };
  for (const f of [service, state]) f.addEventListener('change', () => { page = 0; refresh(); });
  live(refresh);
}

// ---- one rollout ---------------------------------------------------------------------------------------------------

const FORWARD = ['STARTING', 'EXPANDING', 'DEPLOYING'];
const BACK = ['ROLLING_BACK', 'ROLLED_BACK', 'FAILED'];

function pipelineSteps(s) {
  const steps = [{ name: 'expand' }, { name: 'deploy' }];
  s.rings.forEach((r) => steps.push({ name: r.name + ' ' + r.audience, ring: r }));
  steps.push({ name: 'contract' });
  const back = BACK.includes(s.phase) || s.rollbackSteps.length > 0;
  const ringIndex = s.currentRing;
  steps.forEach((step, i) => {
    const ringAt = i - 2;
    if (s.state === 'SUCCEEDED') { step.state = 'done'; return; }
    if (s.phase === 'EXPANDING') step.state = i === 0 ? 'current' : '';
    else if (s.phase === 'DEPLOYING') step.state = i === 0 ? 'done' : i === 1 ? 'current' : '';
    else if (s.phase === 'CONTRACTING') step.state = i === steps.length - 1 ? 'current' : 'done';
    else if (s.phase === 'STARTING') step.state = '';
    else if (step.ring) step.state = step.ring.state === 'DONE' ? 'done' : ringAt === ringIndex ? (back ? 'failed' : 'current') : ringAt > ringIndex ? (back ? 'skipped' : '') : 'done';
    else if (i < 2) step.state = ringIndex >= 0 || !back ? 'done' : (i === 0 ? 'done' : 'failed');
    else step.state = back ? 'skipped' : '';
  });
  return steps;
}

function chart(metric, points) {
  const w = 520, h = 150, pad = 28;
  const values = [];
  points.forEach((p) => { for (const k of ['canary', 'control', 'threshold']) if (p[k] !== null && p[k] !== undefined) values.push(p[k]); });
  const max = Math.max(1e-9, ...values) * 1.15;
  const t0 = new Date(points[0].at).getTime(), t1 = Math.max(t0 + 1, new Date(points[points.length - 1].at).getTime());
  const x = (p) => pad + (new Date(p.at).getTime() - t0) / (t1 - t0) * (w - 2 * pad);
  const y = (v) => h - pad + 8 - v / max * (h - 2 * pad);
  const root = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'data-metric': metric, 'data-points': points.length });
  for (const [k, cls] of [['threshold', 'threshold'], ['control', 'control'], ['canary', 'canary']]) {
    const pts = points.filter((p) => p[k] !== null && p[k] !== undefined).map((p) => x(p).toFixed(1) + ',' + y(p[k]).toFixed(1));
    if (pts.length) root.append(svg('polyline', { class: cls, points: pts.join(' ') }));
  }
  for (const p of points) {
    if (p.canary === null || p.canary === undefined) continue;
    const dot = svg('circle', { cx: x(p).toFixed(1), cy: y(p.canary).toFixed(1), r: 3, class: p.outcome });
    const title = svg('title', {});
    title.textContent = time(p.at) + ' ' + p.outcome + ': canary ' + num(p.canary) + ', control ' + num(p.control) + ', threshold ' + num(p.threshold);
    dot.append(title);
    root.append(dot);
  }
  const label = svg('text', { x: pad, y: 14, 'font-size': 12 });
  label.textContent = metric + ' (max ' + num(max / 1.15) + ')';
  root.append(label);
  return el('div', { class: 'chart' }, root,
    el('div', { class: 'legend' }, el('span', {}, '— canary (flag on)'), el('span', {}, '— control (flag off)'), el('span', {}, '- - failIf threshold')));
}

function ringCard(r) {
  const series = (r.measurements && r.measurements.series) || [];
  const byMetric = new Map();
  for (const p of series) {
    for (const m of p.metrics) {
      if (!byMetric.has(m.metric)) byMetric.set(m.metric, []);
      byMetric.get(m.metric).push({ at: p.at, outcome: m.outcome, canary: m.canary, control: m.control, threshold: m.threshold });
    }
  }
  const count = r.measurements ? r.measurements.measurements : 0;
  return el('div', { class: 'ring', 'data-ring': r.name },
    el('h3', {}, r.name + ' — ' + r.audience + ' — ' + r.state.toLowerCase().replace('_', ' ')),
    el('p', { class: 'muted' }, (r.state === 'SOAKING' ? left(r.soakEndsAt) + ' · ' : '') + count + ' measurement(s)' + (r.verdict ? ' · ' + r.verdict : '')),
    ...[...byMetric.entries()].map(([metric, points]) => chart(metric, points)));
}

function rolloutPage() {
  const id = decodeURIComponent(location.pathname.replace(/^\/rollouts\//, ''));
  document.title = 'Ringmaster — ' + id;
  let status = null;
  const comment = document.getElementById('comment');
  const result = document.getElementById('action-result');

  const act = async (action, body, confirmText) => {
    if (confirmText && !window.confirm(confirmText)) return;
    result.textContent = action + ' …';
    try {
      await api('/api/rollouts/' + encodeURIComponent(id) + '/' + action, { method: 'POST', body });
      result.textContent = action + ' accepted';
      comment.value = '';
      await refresh();
    } catch (e) {
      result.textContent = action + ' refused: ' + e.message + (e.details.length ? ' (' + e.details.join('; ') + ')' : '');
    }
  };
  const text = () => comment.value.trim() || undefined;
  document.getElementById('approve').addEventListener('click', () => act('approve', { comment: text(), gate: status.awaiting }));
  document.getElementById('reject').addEventListener('click', () => act('reject', { comment: text(), gate: status.awaiting }));
  document.getElementById('pause').addEventListener('click', () => act('pause', { reason: text() }));
  document.getElementById('resume').addEventListener('click', () => act('resume', { reason: text() }));
  document.getElementById('promote').addEventListener('click', () => act('promote', { reason: text() }));
  document.getElementById('abort').addEventListener('click', () => act('abort', { reason: text() },
    'Abort ' + id + '?\n\nThe flag goes off for everyone at once (kill switch), it is put back as the rollout found it, '
    + (status.previousVersion ? 'version ' + status.previousVersion : 'the previous version') + ' is redeployed'
    + ' and the expanded schema is undone where the definition says so.'));

  const buttons = (s) => {
    const why = [];
    const decide = (() => {
      if (!s.awaiting) return 'nothing awaits approval';
      if (!may('approve')) return 'your token lacks the approve role';
      if (me.identity === s.triggeredBy) return 'you triggered this rollout: someone else must approve it';
      const approvers = s.awaitingApprovers || [];
      const groups = approvers.some((a) => /^S[A-Z0-9]+$/.test(a));
      if (!approvers.includes(me.identity) && !groups) return 'you are not an approver for ' + s.awaiting + ' (approvers: ' + approvers.join(', ') + ')';
      if ((s.approvals || []).some((a) => a.gate === s.awaiting && a.by === me.identity)) return 'you decided ' + s.awaiting + ' already';
      return null;
    })();
    const running = s.state === 'RUNNING' || s.state === 'PAUSED';
    const operate = may('operate') ? null : 'your token lacks the operate role';
    const rules = {
      approve: decide, reject: decide,
      pause: operate || (s.state === 'RUNNING' && s.phase === 'SOAKING' ? null : 'pause applies to a soaking rollout'),
      resume: operate || (s.state === 'PAUSED' ? null : 'resume applies to a paused rollout'),
      promote: operate || (s.phase === 'SOAKING' ? null : 'promote ends a soak early; nothing soaks now'),
      abort: operate || (!running ? 'the rollout has ended' : s.pastPointOfNoReturn ? 'past the point of no return (contract started)' : null),
    };
    for (const [name, reason] of Object.entries(rules)) {
      const b = document.getElementById(name);
      b.disabled = reason !== null;
      b.title = reason || '';
      if (reason && (name === 'approve' || name === 'abort') && running) why.push(name + ': ' + reason);
    }
    document.getElementById('why-disabled').textContent = why.join(' · ');
  };

  const render = (s) => {
    document.getElementById('title').textContent = s.service + ' ' + s.version;
    const badge = document.getElementById('state');
    badge.textContent = s.state;
    badge.className = 'badge ' + s.state;
    document.getElementById('phase').textContent = s.phase;
    document.getElementById('message').textContent = s.message || '';
    const meta = [s.id, 'triggered by ' + (s.triggeredBy || '?') + ' via ' + (s.triggeredVia || '?'), 'started ' + time(s.startedAt)];
    if (s.previousVersion) meta.push('previous version ' + s.previousVersion);
    const metaEl = document.getElementById('meta');
    metaEl.replaceChildren(meta.join(' · '));
    if (me.temporalUi) {
      metaEl.append(' · ', el('a', { id: 'temporal-link', href: me.temporalUi + encodeURIComponent(s.id), target: '_blank', rel: 'noopener' }, 'history in the Temporal UI'));
    }
    document.getElementById('pipeline').replaceChildren(...pipelineSteps(s).map((step) => el('li', { class: step.state || null }, step.name)));
    const back = s.rollbackSteps.length > 0 || BACK.includes(s.phase);
    document.getElementById('rollback').hidden = !back;
    document.getElementById('rollback-reason').textContent = s.rollbackReason || '';
    document.getElementById('rollback-steps').replaceChildren(...s.rollbackSteps.map((t) => el('li', {}, t)));
    document.getElementById('rings').replaceChildren(...s.rings.map(ringCard));
    document.querySelector('#approvals tbody').replaceChildren(...(s.approvals || []).map((a) => el('tr', {},
      el('td', {}, a.gate), el('td', {}, a.decision), el('td', {}, a.by), el('td', {}, a.source), el('td', {}, time(a.at)),
      el('td', { class: 'comment' }, a.comment || ''))));
    buttons(s);
  };

  const refresh = async () => {
    status = await api('/api/rollouts/' + encodeURIComponent(id));
    render(status);
  };
  live(refresh);
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  signIn(page === 'rollout' ? rolloutPage : listPage);
});
