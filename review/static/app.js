// tradescreen hold review UI: plain JS over the same JSON API and bearer tokens as any client.
"use strict";

const POLL_MS = 2000;
const state = { token: sessionStorage.getItem("tradescreen-token"), me: null, sort: "opened_at", order: "asc",
                offset: 0, limit: 50, holds: [], selected: null, detail: null,
                focusFirstRow: false };

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "Authorization": `Bearer ${state.token}`,
    "Content-Type": "application/json", ...(options.headers || {}) } });
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (response.status === 401) { signOut("Your token was not accepted."); throw new Error("unauthenticated"); }
  if (!response.ok) {
    const detail = body && body.detail;
    const text = detail && detail.detail ? detail.detail
      : Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : response.statusText;
    const error = new Error(text);
    error.status = response.status;
    throw error;
  }
  return body;
}

// -- sign in ------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem("tradescreen-token");
  state.token = null; state.me = null;
  $("#app").hidden = true; $("#login").hidden = false; $("#signout").hidden = true;
  $("#whoami").textContent = "";
  $("#login-error").textContent = message || "";
  $("#token").focus();
}

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/api/me");
  } catch (e) {
    if (e.message !== "unauthenticated") $("#login-error").textContent = e.message;
    return;
  }
  sessionStorage.setItem("tradescreen-token", token);
  $("#login").hidden = true; $("#app").hidden = false; $("#signout").hidden = false;
  $("#whoami").textContent = `${state.me.name || state.me.id} (${state.me.id}, ${state.me.role})`;
  // The first row takes the keyboard once there is one (now, or when the queue fills).
  state.focusFirstRow = true;
  if (document.activeElement) document.activeElement.blur();
  await refreshQueue();
}

// -- queue --------------------------------------------------------------------------

function filterParams() {
  const params = new URLSearchParams();
  for (const field of $("#filters").elements) {
    if (field.name && field.value.trim() !== "") params.set(field.name, field.value.trim());
  }
  params.set("sort", state.sort); params.set("order", state.order);
  params.set("limit", state.limit); params.set("offset", state.offset);
  return params;
}

async function refreshQueue() {
  if (!state.token) return;
  let page;
  try { page = await api(`/api/holds?${filterParams()}`); } catch (e) { return; }
  state.holds = page.holds;
  $("#total").textContent = `(${page.total})`;
  $("#page").textContent = page.total ? `${page.offset + 1}–${page.offset + page.holds.length} of ${page.total}` : "";
  $("#prev").disabled = page.offset === 0;
  $("#next").disabled = page.offset + page.holds.length >= page.total;
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.holdId : null;
  const body = $("#holds tbody");
  body.replaceChildren(...page.holds.map((h) => el("tr", {
      tabindex: "0", "data-hold-id": h.hold_id, class: h.hold_id === state.selected ? "selected" : null,
      onclick: () => openHold(h.hold_id),
      onkeydown: (ev) => { if (ev.key === "Enter") { ev.preventDefault(); openHold(h.hold_id); } } },
    el("td", { text: new Date(h.opened_at).toLocaleString(), title: `${h.age_hours} h ago` }),
    el("td", { class: `outcome-${h.outcome}`, text: h.outcome }),
    el("td", {}, h.status, h.pending ? el("span", { class: "pending", text: " pending" }) : null),
    el("td", { text: `${h.subject.kind} ${h.subject.id}` }),
    el("td", { text: h.reason_codes.join(", ") + (h.lists.length ? ` [${h.lists.join(", ")}]` : "") }),
    el("td", { text: h.party_names.join("; ") }),
    el("td", { text: h.assignee || "—" }),
  )));
  if (focusedId) {
    const again = body.querySelector(`tr[data-hold-id="${CSS.escape(focusedId)}"]`);
    if (again) again.focus();
  } else if (state.focusFirstRow && body.firstChild && $("#detail").hidden &&
             (!document.activeElement || document.activeElement === document.body)) {
    state.focusFirstRow = false;
    body.firstChild.focus();
  }
  for (const b of document.querySelectorAll("th button[data-sort]")) {
    b.setAttribute("aria-sort", b.dataset.sort === state.sort ? (state.order === "asc" ? "ascending" : "descending")
      : "none");
  }
}

// -- detail -------------------------------------------------------------------------

function words(text) {
  return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/).filter(Boolean);
}

// Each word of `text` marked as found (same) or not found (diff) among `others`' words.
function marked(text, others) {
  const pool = new Set(others.flatMap(words));
  return (text || "").split(/(\s+)/).map((part) => {
    if (!part.trim()) return part;
    const ws = words(part);
    if (!ws.length) return part;
    const same = ws.every((w) => pool.has(w));
    return el("mark", { class: same ? "same" : "diff", title: same ? "also on the other side" : "differs" }, part);
  });
}

function address(a) {
  return a ? [a.line1, a.city, a.region, a.postal_code, a.country].filter(Boolean).join(", ") : "";
}

function ids(obj) {
  return obj ? Object.entries(obj).filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`).join("; ") : "";
}

function sideBySide(match) {
  const party = match.party || { name: match.reason.party_name, role: match.reason.party_role };
  const entry = match.entry;
  const rows = [el("div", { class: "head", text: "" }), el("div", { class: "head", text: `Party (${party.role || "?"})` }),
    el("div", { class: "head", text: entry ? `List entry ${match.entry_key}` : `List entry ${match.entry_key || "—"} (not in the read model)` })];
  const row = (label, left, right) => rows.push(el("div", { class: "head", text: label }), el("div", {}, left),
                                                 el("div", {}, right));
  if (entry) {
    const entryNames = [entry.name, ...(entry.aliases || [])];
    row("Name", marked(party.name, entryNames), marked(entry.name, [party.name]));
    row("Aliases", "—", (entry.aliases || []).map((a) => el("div", {}, marked(a, [party.name]))));
    const partyCountry = party.address && party.address.country;
    const entryCountries = (entry.addresses || []).map((a) => a.country).filter(Boolean);
    row("Addresses", party.address ? el("span", {}, address(party.address), partyCountry && entryCountries.length
        ? el("mark", { class: entryCountries.includes(partyCountry) ? "same" : "diff", text: ` [${partyCountry}]` })
        : null) : "—",
        (entry.addresses || []).map((a) => el("div", {}, marked(address(a), [address(party.address)]))));
    row("Ids", ids(party.ids) || "—", ids(entry.ids) || "—");
    row("Programmes", "—", (entry.programs || []).join(", ") || "—");
    row("Dates", "—", [entry.effective_from && `from ${entry.effective_from}`, entry.effective_to &&
        `to ${entry.effective_to}`].filter(Boolean).join(" ") || "—");
    row("Kind", party.kind || "—", entry.kind);
    if (entry.remarks) row("Remarks", "", entry.remarks);
  } else {
    row("Name", party.name || "—", match.reason.matched_name || "—");
  }
  return el("div", { class: "side-by-side", role: "table", "aria-label": "party beside list entry" }, rows);
}

function renderDetail(d) {
  const h = d.hold;
  $("#detail-title").textContent = `${h.outcome} ${h.subject.kind} ${h.subject.id} — ${h.status}` +
    (h.pending ? " (action pending)" : "");
  $("#detail-summary").textContent = `Hold ${h.hold_id}, opened ${new Date(h.opened_at).toLocaleString()}` +
    (h.assignee ? `, assigned to ${h.assignee}` : ", unassigned") +
    (d.escalated_by ? `, escalated by ${d.escalated_by}` : "");
  $("#matches").replaceChildren(...(d.matches.length ? d.matches : []).map((m) => el("div", { class: "match" },
    el("p", {}, el("strong", { text: m.reason.code }), ` (${m.reason.severity})`,
       m.reason.score !== undefined ? ` score ${m.reason.score}` : "", " — ", m.reason.detail),
    m.entry_key ? sideBySide(m) : null,
    m.entry_key && m.reason.code !== "ALLOWLISTED" ? el("button", { type: "button", class: "allowlist",
      disabled: m.reason.severity === "block" || !canAct(),
      title: m.reason.severity === "block" ? "strong matches are never allow-listed" : null,
      onclick: () => allowList(m) }, `Allow-list: ${m.reason.party_name || "party"} is not ${m.entry_key}`) : null,
  )));
  for (const b of document.querySelectorAll("#actions button[data-action]")) {
    const action = b.dataset.action;
    b.disabled = action === "claim" ? !canAct() || ["released", "confirmed"].includes(h.status)
      : !d.allowed_actions.includes(action);
  }
  $("#refused").replaceChildren(...Object.entries(d.refused_actions || {})
    .filter(([a]) => !d.allowed_actions.includes(a))
    .map(([a, why]) => el("li", { text: `${a}: ${why}` })));
  $("#history tbody").replaceChildren(...d.history.map((x) => el("tr", {},
    el("td", { text: new Date(x.at).toLocaleString() }), el("td", { text: x.what }), el("td", { text: x.reviewer || "system" }),
    el("td", { text: x.reason || "" }),
    el("td", {}, x.state === "applied" ? "done" : el("span", { class: x.state, text: x.state + (x.error ? `: ${x.error}` : "") })))));
  $("#decisions tbody").replaceChildren(...d.decisions.map((x) => el("tr", {},
    el("td", { text: new Date(x.decided_at).toLocaleString() }), el("td", { class: `outcome-${x.outcome}`, text: x.outcome }),
    el("td", { text: x.trigger }), el("td", { text: (x.reasons || []).map((r) => r.code).join(", ") }),
    el("td", { text: x.lists_version }), el("td", { text: x.attached ? "yes" : "" }))));
}

function canAct() { return state.me && state.me.role !== "auditor"; }

async function openHold(holdId, keepMessages = false) {
  state.selected = holdId;
  let d;
  try { d = await api(`/api/holds/${encodeURIComponent(holdId)}`); } catch (e) { return; }
  const firstOpen = $("#detail").hidden || (state.detail && state.detail.hold.hold_id !== holdId);
  state.detail = d;
  $("#detail").hidden = false;
  $("#app").classList.add("with-detail");
  if (!keepMessages) { $("#action-result").textContent = ""; $("#action-error").textContent = ""; }
  if (firstOpen) $("#reason").value = "";
  renderDetail(d);
  for (const tr of document.querySelectorAll("#holds tbody tr")) tr.classList.toggle("selected", tr.dataset.holdId === holdId);
  if (firstOpen) $("#detail").focus();
}

function closeDetail() {
  $("#detail").hidden = true; $("#app").classList.remove("with-detail");
  const row = state.selected && document.querySelector(`#holds tbody tr[data-hold-id="${CSS.escape(state.selected)}"]`);
  state.selected = null; state.detail = null;
  if (row) row.focus();
}

async function act(action) {
  const holdId = state.selected;
  const reason = $("#reason").value.trim();
  $("#action-result").textContent = ""; $("#action-error").textContent = "";
  if (!reason && action !== "claim") { $("#action-error").textContent = "Give a reason first."; $("#reason").focus(); return; }
  try {
    if (action === "claim") {
      await api(`/api/holds/${encodeURIComponent(holdId)}/claim`, { method: "POST", body: "{}" });
      $("#action-result").textContent = `Claimed by ${state.me.id}.`;
    } else {
      await api(`/api/holds/${encodeURIComponent(holdId)}/${action}`, { method: "POST", body: JSON.stringify({ reason }) });
      $("#action-result").textContent = `${action} sent by ${state.me.id}: pending until the worker applies it.`;
      $("#reason").value = "";
    }
  } catch (e) {
    if (e.message !== "unauthenticated") $("#action-error").textContent = `Refused (${e.status}): ${e.message}`;
  }
  await openHold(holdId, true);
  await refreshQueue();
}

async function allowList(match) {
  const reason = $("#reason").value.trim();
  $("#action-result").textContent = ""; $("#action-error").textContent = "";
  if (!reason) { $("#action-error").textContent = "Give a reason first."; $("#reason").focus(); return; }
  const party = match.party || { name: match.reason.party_name };
  try {
    const r = await api("/api/allowlist", { method: "POST", body: JSON.stringify({
      party_name: party.name, country: party.address ? party.address.country : null, entry_key: match.entry_key,
      reason, hold_id: state.selected }) });
    $("#action-result").textContent = `Allow-listed until ${new Date(r.entry.expires_at).toLocaleDateString()} by ${state.me.id}.`;
  } catch (e) {
    if (e.message !== "unauthenticated") $("#action-error").textContent = `Refused (${e.status}): ${e.message}`;
  }
}

// -- wiring -------------------------------------------------------------------------

function moveSelection(step) {
  const rows = [...document.querySelectorAll("#holds tbody tr")];
  if (!rows.length) return;
  const at = rows.indexOf(document.activeElement);
  rows[Math.max(0, Math.min(rows.length - 1, at === -1 ? 0 : at + step))].focus();
}

document.addEventListener("keydown", (ev) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (ev.key === "Escape") { if (typing) document.activeElement.blur(); else if (!$("#detail").hidden) closeDetail(); return; }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "j") { ev.preventDefault(); moveSelection(1); }
  else if (ev.key === "k") { ev.preventDefault(); moveSelection(-1); }
  else if (ev.key === "/") { ev.preventDefault(); $("#party-filter").focus(); }
});

$("#login-form").addEventListener("submit", (ev) => { ev.preventDefault(); signIn($("#token").value.trim()); });
$("#signout").addEventListener("click", () => signOut(""));
$("#filters").addEventListener("input", () => { state.offset = 0; refreshQueue(); });
$("#filters").addEventListener("submit", (ev) => ev.preventDefault());
$("#prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); refreshQueue(); });
$("#next").addEventListener("click", () => { state.offset += state.limit; refreshQueue(); });
for (const b of document.querySelectorAll("th button[data-sort]")) {
  b.addEventListener("click", () => {
    if (state.sort === b.dataset.sort) state.order = state.order === "asc" ? "desc" : "asc";
    else { state.sort = b.dataset.sort; state.order = "asc"; }
    refreshQueue();
  });
}
for (const b of document.querySelectorAll("#actions button[data-action]")) {
  b.addEventListener("click", () => act(b.dataset.action));
}

setInterval(() => {
  if (!state.token || document.hidden) return;
  refreshQueue();
  if (state.selected) openHold(state.selected, true);
}, POLL_MS);

if (state.token) signIn(state.token); else signOut("");
