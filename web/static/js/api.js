// Shared helpers: JSON fetch with the API's error shape, page data, tiny DOM builder, socket URLs.

export class ApiFailure extends Error {
  constructor(status, error) {
    super(error?.message || `Request failed (${status})`);
    this.status = status;
    this.code = error?.code || `http_${status}`;
    this.details = error?.details || [];
  }
}

// Every write goes through fetch from our own origin (the server checks Origin: see security.py).
export async function api(method, url, body, { contentType, keepalive = false } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, keepalive };
  if (body !== undefined) {
    if (contentType) {
      init.body = body;
      init.headers["Content-Type"] = contentType;
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiFailure(0, { code: "network", message: "No connection to the server; retrying shortly." });
  }
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiFailure(response.status, data?.error);
  return data;
}

export function pageData() {
  const node = document.getElementById("page-data");
  return node ? JSON.parse(node.textContent) : {};
}

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function wsUrl(path) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}

export function humanize(code) {
  const text = String(code ?? "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The noun for a count ("row" for 1, "rows" otherwise), and the count with it: "1 row", "2 rows".
export function noun(n, one, many) {
  return n === 1 ? one : many;
}

export function plural(n, one, many) {
  return `${n} ${noun(n, one, many)}`;
}

// A stored E.164 number as a caller reads it aloud: North American numbers as (202) 555-0142, others
// as stored (a volunteer calling abroad needs the country code).
export function displayPhone(e164) {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(String(e164 ?? ""));
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : String(e164 ?? "");
}

export function show(node, visible) {
  node.hidden = !visible;
}

export function typingInField(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

// Runs `work` with `button` disabled (no second press meanwhile), then gives the keyboard back to it: a
// disabled button drops the focus to the page, and a keyboard or screen-reader user would start over at the
// top. Focus that moved on meanwhile (say, to a field with a problem) stays where it went.
export async function whileBusy(button, work) {
  const had = document.activeElement === button;
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
    if (had && (!document.activeElement || document.activeElement === document.body)) button.focus();
  }
}
