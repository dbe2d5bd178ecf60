// copydesk inspector: sends the page to /v1/explain and draws blocks + article.
// Every piece of page text goes through textContent; no HTML string is ever parsed.
"use strict";

const LABELS = ["body", "title", "byline", "date", "credit", "bio", "caption", "boilerplate"];
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function labelClass(label) {
  return LABELS.includes(label) ? "label-" + label : "label-other";
}

function options() {
  return {
    include_tables: $("include_tables").checked,
    include_comments: $("include_comments").checked,
    favor: $("favor").value,
  };
}

async function send() {
  const mode = $("mode").value;
  const url = $("url").value.trim();
  const file = $("file").files[0];
  if (file) {
    const params = new URLSearchParams(Object.entries(options()).map(([k, v]) => [k, String(v)]));
    if (url) params.set("url", url);
    const isText = mode === "text" || file.type === "text/plain";
    return fetch("/v1/explain?" + params.toString(), {
      method: "POST",
      headers: { "Content-Type": isText ? "text/plain" : "text/html" },
      body: await file.arrayBuffer(),   // raw bytes: copydesk decodes them
    });
  }
  const source = $("source").value;
  const body = { options: options() };
  if (url) body.url = url;
  if (source.trim()) body[mode] = source;
  return fetch("/v1/explain", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body),
  });
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function renderBlocks(blocks) {
  const list = $("blocks");
  const counts = {};
  list.replaceChildren();
  blocks.forEach((b, i) => {
    const label = String(b.label ?? "");
    counts[label] = (counts[label] || 0) + 1;
    const score = Number(b.score);
    const bar = el("span", { class: "score-bar", title: "P(body)" }, [el("span")]);
    bar.firstChild.style.width = (Number.isFinite(score) ? Math.max(0, Math.min(1, score)) * 100 : 0) + "%";
    const head = el("div", { class: "head" }, [
      el("span", { class: "label", text: label }),
      el("span", { class: "score", text: Number.isFinite(score) ? score.toFixed(2) : "–" }),
      bar,
      el("span", { class: "tag", text: "<" + String(b.tag ?? "") + "> " + String(b.kind ?? "") }),
      el("span", { class: "idx muted", text: "#" + (i + 1) }),
    ]);
    const reasons = Array.isArray(b.reasons) ? b.reasons.slice(0, 4).map(String) : [];
    const item = el("li", { class: "block " + labelClass(label), "data-label": label, "data-index": String(i) }, [
      head,
      el("div", { class: "text", text: String(b.text ?? "") }),
    ]);
    if (reasons.length) item.append(el("div", { class: "reasons", text: "because: " + reasons.join(" · ") }));
    list.append(item);
  });
  $("block-count").textContent = "(" + blocks.length + ")";
  $("legend").replaceChildren(
    ...Object.keys(counts).sort().map((label) =>
      el("li", { class: labelClass(label), text: label + " " + counts[label] })),
  );
}

function renderParagraph(p) {
  const text = String(p.text ?? "");
  switch (p.role) {
    case "heading": return el("h4", { text });
    case "list_item": return el("ul", {}, [el("li", { text })]);
    case "quote": return el("blockquote", { text });
    case "code": case "table": return el("pre", { text });
    case "caption": return el("p", { class: "caption", text }, []);
    default: return el("p", { text });
  }
}

function renderDocument(doc, note) {
  $("art-title").textContent = doc.title || "(no title)";
  const meta = $("art-meta");
  meta.replaceChildren();
  const rows = [
    ["authors", (doc.authors || []).join(", ")],
    ["date", doc.date], ["publisher", doc.publisher], ["language", doc.language], ["page_type", doc.page_type],
    ["url", doc.url], ["confidence", doc.confidence == null ? "" : Number(doc.confidence).toFixed(2)],
    ["empty", doc.empty_reason], ["warnings", (doc.warnings || []).join("; ")], ["note", note],
  ];
  for (const [key, value] of rows) {
    if (value) meta.append(el("dt", { text: key }), el("dd", { class: "meta-" + key, text: String(value) }));
  }
  const body = $("art-body");
  body.replaceChildren(...(doc.paragraphs || []).map(renderParagraph));
  $("art-json").textContent = JSON.stringify(doc, null, 2);
}

async function inspect(event) {
  event.preventDefault();
  $("error").hidden = true;
  $("status").textContent = "working…";
  $("run").disabled = true;
  const started = performance.now();
  try {
    const response = await send();
    let data;
    try { data = await response.json(); } catch { data = null; }
    if (!response.ok) {
      const err = data && data.error ? data.error : { code: "http_" + response.status, message: response.statusText };
      showError(err.code + ": " + err.message);
      $("status").textContent = "";
      return;
    }
    renderBlocks(data.blocks || []);
    renderDocument(data.document || {}, data.note);
    $("results").hidden = false;
    $("status").textContent = "done in " + Math.round(performance.now() - started) + " ms";
    document.body.dataset.state = "done";
  } catch (e) {
    showError(String(e));
    $("status").textContent = "";
  } finally {
    $("run").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("input-form").addEventListener("submit", inspect);
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (file) $("status").textContent = "file: " + file.name + " (" + file.size + " bytes)";
  });
  $("source").addEventListener("input", () => { if ($("file").value) $("file").value = ""; });
});
