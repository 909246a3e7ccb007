/// <reference lib="dom" />
/**
 * The viewer's DOM helpers: element creation with attributes and listeners, sections, tables,
 * badges, number formatting.
 *
 * @module
 */

/** A child of an element: a node, text, nothing, or a list of them. */
export type Child = Node | string | null | undefined | false | readonly Child[];
/** Element attributes; `on*` values are event listeners. */
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element: attributes (`on*` are listeners, `class`, booleans) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  el.append(...nodes(children));
  return el;
}

/** Flattens children into nodes, dropping null, undefined and false. */
export function nodes(children: readonly Child[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === "string" || c instanceof Node) out.push(c);
    else out.push(...nodes(c));
  }
  return out;
}

/** Replaces the children of `el`. */
export function fillWith(el: Element, ...children: Child[]): void {
  el.replaceChildren(...nodes(children));
}

/** A count with thousands separators. */
export const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
/** Milliseconds as seconds (`1.23 s`). */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** A page section with its heading. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h(
    "section",
    { id, "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title),
    ...children,
  );
}

/** A simple table: caption, head cells, rows. */
export function table(
  caption: string | null,
  head: string[],
  rows: Child[][],
  cls = "",
): HTMLTableElement {
  return h(
    "table",
    { class: cls },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))),
  );
}

/** A small coloured label. */
export function badge(text: string, kind: string): HTMLElement {
  return h("span", { class: `badge ${kind}` }, text);
}
