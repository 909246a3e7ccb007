/// <reference lib="dom" />
/**
 * The counterexample viewer: one swim lane per process, each step's request and what changed,
 * and a drawing of namespaces, devices, queues and lease arrows at the selected step; keyboard
 * navigation.
 *
 * @module
 */

import type { RunReport } from "./data.ts";
import { fillWith, h, section } from "./dom.ts";
import { drawState, isModelState } from "./draw.ts";
import {
  compactJson,
  diffEntries,
  type DiffEntry,
  lanesOf,
  listTraces,
  requestOf,
  shortLabel,
  touched,
  type TraceEntry,
} from "./trace.ts";

// ---------------------------------------------------------------------------------------------
// Counterexample viewer

function jsonTree(value: unknown, path: string, changed: ReadonlySet<string>, depth = 0): Node {
  const isChanged = (p: string): boolean => {
    for (const c of changed) {
      if (c === p || c.startsWith(`${p}.`) || c.startsWith(`${p}[`)) return true;
    }
    return false;
  };
  if (typeof value !== "object" || value === null) {
    return h(
      "span",
      { class: `leaf${changed.has(path) ? " changed" : ""}` },
      JSON.stringify(value),
    );
  }
  const entries: [string, unknown, string][] = Array.isArray(value)
    ? value.map((v, i) => [`[${i}]`, v, `${path}[${i}]`])
    : Object.entries(value).map(([k, v]) => [k, v, path ? `${path}.${k}` : k]);
  if (entries.length === 0) return h("span", { class: "leaf" }, Array.isArray(value) ? "[]" : "{}");
  const simple = entries.every(([, v]) => typeof v !== "object" || v === null);
  const preview = compactJson(value, 90);
  if (simple && preview.length < 90) {
    return h("span", { class: `leaf${isChanged(path) ? " changed" : ""}` }, preview);
  }
  return h(
    "details",
    { open: depth < 1 || isChanged(path) },
    h(
      "summary",
      { class: isChanged(path) ? "changed" : "" },
      Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`,
      " ",
      h("span", { class: "preview" }, compactJson(value, 70)),
    ),
    h(
      "ul",
      { class: "tree" },
      entries.map(([k, v, p]) =>
        h("li", {}, h("span", { class: "key" }, `${k}: `), jsonTree(v, p, changed, depth + 1))
      ),
    ),
  );
}

function renderDiff(entries: readonly DiffEntry[], first: boolean): HTMLElement {
  if (first) return h("p", { class: "muted" }, "The initial state (nothing before it).");
  if (entries.length === 0) return h("p", { class: "muted" }, "No change.");
  return h(
    "ul",
    { class: "diff", "aria-label": "Fields changed by this step" },
    entries.map((e) =>
      h(
        "li",
        {},
        h("code", { class: "path" }, e.path),
        ": ",
        h("span", { class: "before", title: compactJson(e.before, 2000) }, compactJson(e.before)),
        " → ",
        h("span", { class: "after", title: compactJson(e.after, 2000) }, compactJson(e.after)),
      )
    ),
  );
}

interface ViewerState {
  trace: number;
  step: number;
}

/** The Counterexamples part of the page. */
export function renderCounterexamples(doc: RunReport): HTMLElement | null {
  const traces = listTraces(doc);
  if (traces.length === 0) return null;
  const cur: ViewerState = { trace: 0, step: 0 };
  const hash = new URLSearchParams(location.hash.slice(1));
  const wanted = traces.findIndex((t) => t.id === hash.get("cx"));
  if (wanted >= 0) cur.trace = wanted;
  const picker = h("div", { class: "picker", role: "group", "aria-label": "Counterexamples" });
  const info = h("div", { class: "trace-info" });
  const lanesPane = h("div", { class: "lanes-pane" });
  const detail = h("div", { class: "detail-pane", "aria-live": "polite" });
  const position = h("span", { class: "position", id: "step-position" });
  const prev = h("button", {
    type: "button",
    id: "prev-step",
    "aria-label": "Previous step",
    title: "Previous step (←)",
    onclick: () => select(cur.step - 1),
  }, "◀ Previous");
  const next = h("button", {
    type: "button",
    id: "next-step",
    "aria-label": "Next step",
    title: "Next step (→)",
    onclick: () => select(cur.step + 1),
  }, "Next ▶");
  let rowButtons: HTMLButtonElement[] = [];
  let rows: HTMLTableRowElement[] = [];

  const pickerButtons = traces.map((t, i) =>
    h("button", {
      type: "button",
      class: "pick",
      "aria-pressed": "false",
      onclick: () => openTrace(i),
    }, t.title)
  );
  picker.append(...pickerButtons);

  function entry(): TraceEntry {
    return traces[cur.trace];
  }

  function openTrace(i: number, step = 0): void {
    cur.trace = i;
    const t = entry();
    pickerButtons.forEach((b, j) => b.setAttribute("aria-pressed", String(j === i)));
    const lanes = lanesOf(t.trace, t.locks);
    const repro = doc.reproduce?.[t.trace.token];
    fillWith(
      info,
      h("p", { class: "trace-desc" }, t.description),
      h(
        "p",
        { class: "muted" },
        t.spec ? `${t.spec} · ` : "",
        `${t.trace.steps.length - 1} steps`,
        t.trace.token ? [" · replay token ", h("code", {}, t.trace.token)] : null,
      ),
      repro ? h("p", {}, "Reproduce: ", h("code", { class: "repro" }, repro)) : null,
    );
    const head = h(
      "tr",
      {},
      h("th", { scope: "col", class: "idx" }, "#"),
      lanes.names.map((n) => {
        const l = lanes.locks[n];
        return h(
          "th",
          { scope: "col" },
          n,
          l
            ? h(
              "div",
              { class: "lane-locks" },
              `holds ${l.held.length ? l.held.join(", ") : "nothing"}`,
              l.waiting ? `; waits for ${l.waiting}` : "",
            )
            : null,
        );
      }),
    );
    rowButtons = [];
    rows = t.trace.steps.map((s, si) => {
      const lane = lanes.ofStep[si];
      const button = h("button", {
        type: "button",
        class: "step",
        "data-step": si,
        onclick: () => select(si),
        title: s.label,
      }, shortLabel(s, t.trace.steps[si - 1]));
      rowButtons.push(button);
      const cells = lane === null
        ? [h("td", { colspan: lanes.names.length, class: "init" }, button)]
        : lanes.names.map((n) =>
          h("td", { class: n === lane ? "act" : "" }, n === lane ? button : null)
        );
      return h(
        "tr",
        { "data-step": si },
        h("th", { scope: "row", class: "idx" }, String(si)),
        cells,
      );
    });
    fillWith(
      lanesPane,
      h("div", { class: "step-nav" }, prev, position, next),
      h(
        "div",
        { class: "scroll lanes-scroll" },
        h(
          "table",
          { class: "lanes", id: "lanes" },
          h("caption", {}, "Steps by process (swim lanes); select a step to see it."),
          h("thead", {}, head),
          h("tbody", {}, rows),
        ),
      ),
    );
    select(step, false);
  }

  function select(i: number, focus = true): void {
    const t = entry();
    const steps = t.trace.steps;
    const si = Math.max(0, Math.min(steps.length - 1, i));
    cur.step = si;
    rows.forEach((r, j) => {
      r.classList.toggle("selected", j === si);
      if (j === si) r.setAttribute("aria-current", "step");
      else r.removeAttribute("aria-current");
    });
    prev.disabled = si === 0;
    next.disabled = si === steps.length - 1;
    position.textContent = `Step ${si} of ${steps.length - 1}`;
    if (focus) rowButtons[si]?.focus({ preventScroll: true });
    rows[si]?.scrollIntoView({ block: "nearest" });
    history.replaceState(null, "", `#cx=${encodeURIComponent(t.id)}&step=${si}`);
    const step = steps[si];
    const before = steps[si - 1];
    const changes = before ? diffEntries(before.state, step.state) : [];
    const req = requestOf(step, before);
    const lane = lanesOf(t.trace, t.locks).ofStep[si];
    const paths = new Set(changes.map((c) => c.path));
    const drawing = isModelState(step.state)
      ? drawingNode(drawState(step.state, {
        touched: touched([...paths]),
        title: `Device model after step ${si}: ${step.label}`,
      }))
      : h("div", { class: "plain-state" }, jsonTree(step.state, "", paths));
    fillWith(
      detail,
      h(
        "h3",
        { id: "step-title" },
        `Step ${si}: `,
        h("span", { class: "label" }, si === 0 ? "Init" : step.label),
      ),
      h(
        "div",
        { class: "req-grid" },
        h(
          "div",
          { class: "request" },
          h("h4", {}, "Request"),
          h("p", {}, h("strong", {}, req.title), lane ? ` · lane ${lane}` : ""),
          req.notes.length
            ? h("ul", { class: "notes" }, req.notes.map((n) => h("li", {}, n)))
            : null,
          req.body !== undefined
            ? h(
              "pre",
              { class: "json", "aria-label": "Request (ynl JSON)" },
              JSON.stringify(req.body, null, 2),
            )
            : null,
        ),
        h(
          "div",
          { class: "changes" },
          h("h4", {}, `Changes${before ? ` (${changes.length})` : ""}`),
          renderDiff(changes, !before),
        ),
      ),
      h("h4", {}, isModelState(step.state) ? "Devices, queues and leases" : "State"),
      drawing,
      isModelState(step.state)
        ? [
          legend(),
          h(
            "details",
            { class: "state-json" },
            h("summary", {}, "Full state (JSON)"),
            jsonTree(step.state, "", paths),
          ),
        ]
        : null,
    );
  }

  document.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight" || (e.key === "ArrowDown" && target?.classList.contains("step"))) {
      select(cur.step + 1);
      e.preventDefault();
    } else if (
      e.key === "ArrowLeft" || (e.key === "ArrowUp" && target?.classList.contains("step"))
    ) {
      select(cur.step - 1);
      e.preventDefault();
    } else if (e.key === "Home" && target?.classList.contains("step")) {
      select(0);
      e.preventDefault();
    } else if (e.key === "End" && target?.classList.contains("step")) {
      select(entry().trace.steps.length - 1);
      e.preventDefault();
    }
  });

  const stepParam = Number(hash.get("step") ?? 0);
  openTrace(cur.trace, Number.isFinite(stepParam) ? stepParam : 0);
  return section(
    "counterexamples",
    traces.length === 1 ? "Counterexample" : `Counterexamples (${traces.length})`,
    traces.length > 1 ? picker : null,
    info,
    h("p", { class: "muted keys" }, "Keys: ← and → step through the trace."),
    h("div", { class: "cx" }, lanesPane, detail),
  );
}

function drawingNode(svg: string): HTMLElement {
  const box = h("div", { class: "drawing", id: "drawing" });
  const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
  box.append(document.importNode(parsed.documentElement, true));
  return box;
}

function legend(): HTMLElement {
  const item = (cls: string, text: string): HTMLElement =>
    h("li", {}, h("span", { class: `key-swatch ${cls}`, "aria-hidden": "true" }), text);
  return h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    item("sw-lease", "lease (virtual → physical queue)"),
    item("sw-broken", "one-way or dangling lease"),
    item("sw-peer", "netkit pair"),
    item("sw-mp", "memory provider (U io_uring, D devmem)"),
    item("sw-pool", "AF_XDP pool"),
    item("sw-tracker", "lease tracker reference"),
    item("sw-spare", "allocated, not live"),
    item("sw-changed", "changed by this step"),
  );
}
