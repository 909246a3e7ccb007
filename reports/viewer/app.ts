/// <reference lib="dom" />
/**
 * The report viewer: reads the run report embedded in the page
 * (`<script type="application/json" id="data">`) and renders the verdict, configuration,
 * statistics, fact coverage, mutant kill table, certification results and a step-through viewer
 * for each counterexample (swim lanes, request, diff, and a drawing of the device model).
 *
 * Plain typed DOM code, no framework, no network. Bundled into `app.bundle.js` by `build.ts`.
 *
 * @module
 */

import type { CheckResult } from "../../checker/result.ts";
import type { CertificationReport } from "../certification.ts";
import type { FactCoverage, KillRow, RunReport } from "./data.ts";
import { drawState, isModelState } from "./draw.ts";
import {
  compareFacts,
  factGroup,
  type FactStatus,
  factStatus,
  overallVerdict,
  resultHeadline,
  statusWord,
} from "./summary.ts";
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

type Child = Node | string | null | undefined | false | readonly Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element: attributes (`on*` are listeners, `class`, booleans) and children. */
function h<K extends keyof HTMLElementTagNameMap>(
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
function nodes(children: readonly Child[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === "string" || c instanceof Node) out.push(c);
    else out.push(...nodes(c));
  }
  return out;
}

/** Replaces the children of `el`. */
function fillWith(el: Element, ...children: Child[]): void {
  el.replaceChildren(...nodes(children));
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h(
    "section",
    { id, "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title),
    ...children,
  );
}

function table(
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

function badge(text: string, kind: string): HTMLElement {
  return h("span", { class: `badge ${kind}` }, text);
}

// ---------------------------------------------------------------------------------------------
// Header, verdict, configuration

function renderHeader(doc: RunReport): HTMLElement {
  const v = overallVerdict(doc);
  const sub = [
    `${doc.kind} run`,
    `${doc.tool.name} ${doc.tool.version}`,
    doc.spec ? `spec ${doc.spec.name}` : null,
    doc.created ? `written ${doc.created}` : null,
  ].filter(Boolean).join(" · ");
  return h(
    "header",
    {},
    h("h1", {}, `${doc.tool.name} report`),
    h("p", { class: "sub" }, sub),
    h(
      "div",
      { class: `verdict ${v.status}`, id: "verdict", role: "status" },
      h("strong", { class: "verdict-word" }, statusWord(v.status).toUpperCase()),
      h("span", { class: "verdict-text" }, v.headline),
    ),
  );
}

function renderNav(links: [string, string][]): HTMLElement {
  return h(
    "nav",
    { "aria-label": "Sections" },
    h("ul", {}, links.map(([id, title]) => h("li", {}, h("a", { href: `#${id}` }, title)))),
  );
}

function renderConfig(doc: RunReport): HTMLElement {
  const rows: [string, Child][] = [
    ["tool", `${doc.tool.name} ${doc.tool.version}`],
    ["run", doc.kind],
  ];
  if (doc.spec) {
    rows.push(["spec", doc.spec.name]);
    if (doc.spec.version) rows.push(["spec version", doc.spec.version]);
    const params = Object.entries(doc.spec.params);
    rows.push([
      "parameters",
      params.length ? params.map(([k, v]) => `${k}=${compactJson(v, 60)}`).join(", ") : "defaults",
    ]);
  }
  for (const r of doc.results ?? []) {
    rows.push([
      `result ${r.spec}`,
      `${r.mode}${
        r.seed !== undefined ? `, seed ${r.seed}` : ""
      }, fingerprints ${r.fingerprints.mode}${
        r.fingerprints.collisionProbability !== undefined
          ? ` (collision probability ${r.fingerprints.collisionProbability.toExponential(1)})`
          : ""
      }`,
    ]);
  }
  if (doc.certification) rows.push(["implementation", doc.certification.implementation]);
  for (const [k, v] of Object.entries(doc.certification?.implementationInfo ?? {})) {
    rows.push([k, v]);
  }
  if (doc.created) rows.push(["written", doc.created]);
  if (doc.argv?.length) rows.push(["command", h("code", {}, doc.argv.join(" "))]);
  if (doc.reproduce?.run) rows.push(["rerun", h("code", {}, doc.reproduce.run)]);
  return section(
    "config",
    "Configuration",
    h(
      "dl",
      { class: "kv" },
      rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics

function renderStats(results: readonly CheckResult<unknown>[]): HTMLElement {
  return section(
    "stats",
    "State space",
    results.map((r) => {
      const s = r.stats;
      const steps = r.mode === "simulation" ? "steps" : "transitions";
      const cards: [string, string][] = [
        ["distinct states", fmt(s.distinct)],
        [`${steps} generated`, fmt(s.generated)],
        ["depth", String(s.depth)],
        ["left in queue", fmt(s.queued)],
        ["time", seconds(s.elapsedMs)],
        ["states/s", fmt(s.statesPerSecond)],
        ["initial states", fmt(s.initial)],
        ["deadlocked states", fmt(s.deadlocked)],
      ];
      const actions = Object.entries(s.perAction);
      const max = Math.max(1, ...actions.map(([, a]) => a.generated));
      return h(
        "div",
        { class: "result-stats" },
        h("h3", {}, resultHeadline(r)),
        h(
          "div",
          { class: "cards" },
          cards.map(([k, v]) =>
            h("div", { class: "card" }, h("div", { class: "num" }, v), h("div", {}, k))
          ),
        ),
        actions.length
          ? table(
            `Per action (${
              r.mode === "exhaustive" ? "transitions and new distinct states" : "steps"
            })`,
            ["action", steps, "new states", ""],
            actions.map(([name, a]) => [
              h("code", {}, name),
              h("span", { class: "n" }, fmt(a.generated)),
              h("span", { class: "n" }, r.mode === "exhaustive" ? fmt(a.distinct) : "–"),
              h("span", {
                class: "bar",
                style: `width:${Math.max(1, (a.generated / max) * 100).toFixed(1)}%`,
                "aria-hidden": "true",
              }),
            ]),
            "actions",
          )
          : null,
        r.lockOrder?.length
          ? h(
            "p",
            {},
            "Lock-order edges seen: ",
            r.lockOrder.map((e) => `${e.from} → ${e.to}`).join(", "),
          )
          : null,
      );
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Fact coverage

type FactSort = "id" | "reached" | "scenarios" | "status";

function renderFacts(facts: readonly FactCoverage[]): HTMLElement {
  const counts: Record<FactStatus, number> = {
    covered: 0,
    "explored only": 0,
    "scenario only": 0,
    uncovered: 0,
  };
  for (const f of facts) counts[factStatus(f)]++;
  const reached = facts.filter((f) => f.reached > 0).length;
  const cited = facts.filter((f) => f.scenarios.length > 0).length;
  let sort: FactSort = "id";
  let descending = false;
  let filter: FactStatus | "all" = "all";
  let group = "all";
  const tbody = h("tbody", {});
  const groups = [...new Set(facts.map((f) => factGroup(f.id)))].sort();
  const statusOrder: FactStatus[] = ["uncovered", "scenario only", "explored only", "covered"];
  const heads: [FactSort, string][] = [
    ["id", "fact"],
    ["status", "status"],
    ["reached", "reached (times)"],
    ["scenarios", "scenarios"],
  ];
  const headCells = heads.map(([key, label]) => {
    const button = h("button", {
      type: "button",
      class: "sort",
      onclick: () => {
        descending = sort === key ? !descending : key !== "id";
        sort = key;
        fill();
      },
    }, label);
    return { key, th: h("th", { scope: "col", "aria-sort": "none" }, button) };
  });
  const maxReached = Math.max(1, ...facts.map((f) => f.reached));
  function fill(): void {
    const rows = facts.filter((f) =>
      (filter === "all" || factStatus(f) === filter) &&
      (group === "all" || factGroup(f.id) === group)
    );
    const key = (f: FactCoverage): number =>
      sort === "reached"
        ? f.reached
        : sort === "scenarios"
        ? f.scenarios.length
        : statusOrder.indexOf(factStatus(f));
    rows.sort((a, b) => {
      const c = sort === "id"
        ? compareFacts(a.id, b.id)
        : key(a) - key(b) || compareFacts(a.id, b.id);
      return descending ? -c : c;
    });
    for (const { key: k, th } of headCells) {
      th.setAttribute("aria-sort", k === sort ? (descending ? "descending" : "ascending") : "none");
    }
    fillWith(
      tbody,
      rows.map((f) => {
        const st = factStatus(f);
        const shown = f.scenarios.slice(0, 4);
        return h(
          "tr",
          { class: `fact ${st.replace(" ", "-")}`, "data-fact": f.id },
          h(
            "th",
            { scope: "row" },
            h("code", {}, f.id),
            f.title === undefined ? null : h(
              "details",
              { class: "fact-text" },
              h("summary", {}, f.title),
              h("p", {}, f.statement ?? ""),
              h("p", { class: "muted" }, `kernel ${f.versions ?? "?"} · ${f.known ?? "?"}`),
            ),
          ),
          h("td", {}, badge(st, st.replace(" ", "-"))),
          h(
            "td",
            { class: "n" },
            h("span", { class: "reach" }, f.reached ? fmt(f.reached) : "0"),
            f.reached
              ? h("span", {
                class: "bar",
                style: `width:${
                  Math.max(2, (Math.log1p(f.reached) / Math.log1p(maxReached)) * 60).toFixed(0)
                }px`,
                "aria-hidden": "true",
              })
              : null,
          ),
          h(
            "td",
            { class: "scen" },
            f.scenarios.length === 0 ? "—" : shown.join(", "),
            f.scenarios.length > shown.length
              ? h(
                "details",
                { class: "more" },
                h("summary", {}, `+${f.scenarios.length - shown.length} more`),
                f.scenarios.slice(shown.length).join(", "),
              )
              : null,
          ),
        );
      }),
    );
  }
  fill();
  const filterSelect = h(
    "select",
    {
      id: "fact-filter",
      onchange: (e: Event) => {
        filter = (e.target as HTMLSelectElement).value as FactStatus | "all";
        fill();
      },
    },
    h("option", { value: "all" }, `all (${facts.length})`),
    statusOrder.map((s) => h("option", { value: s }, `${s} (${counts[s]})`)),
  );
  const groupSelect = h(
    "select",
    {
      id: "fact-group",
      onchange: (e: Event) => {
        group = (e.target as HTMLSelectElement).value;
        fill();
      },
    },
    h("option", { value: "all" }, "all groups"),
    groups.map((g) => h("option", { value: g }, g)),
  );
  return section(
    "coverage",
    "Spec-fact coverage",
    h(
      "p",
      { class: "coverage-summary" },
      `${reached} of ${facts.length} facts reached by exploration, ${cited} cited by a scenario; `,
      badge(`${counts.covered} covered`, "covered"),
      " ",
      badge(`${counts["explored only"]} explored only`, "explored-only"),
      " ",
      badge(`${counts["scenario only"]} scenario only`, "scenario-only"),
      " ",
      badge(`${counts.uncovered} uncovered`, "uncovered"),
    ),
    h(
      "div",
      { class: "controls" },
      h("label", { for: "fact-filter" }, "Show "),
      filterSelect,
      " ",
      h("label", { for: "fact-group" }, "Group "),
      groupSelect,
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "facts", id: "fact-table" },
        h(
          "caption",
          {},
          "Each fact id: whether exploration reached it, how often, and which scenarios cite it. Click a heading to sort.",
        ),
        h("thead", {}, h("tr", {}, headCells.map((c) => c.th))),
        tbody,
      ),
    ),
  );
}

function renderKills(rows: readonly KillRow[]): HTMLElement {
  const caught = rows.filter((r) => r.caughtBy !== null).length;
  return section(
    "kills",
    "Mutant kill table",
    h("p", {}, `${caught} of ${rows.length} mutants caught.`),
    table(
      null,
      ["mutant", "caught by", "how", "trace length", "time"],
      rows.map((r) => [
        h("code", {}, r.mutant),
        r.caughtBy === null ? badge("NOT CAUGHT", "uncovered") : r.caughtBy,
        r.kind,
        r.traceLength === null ? "—" : String(r.traceLength),
        seconds(r.ms),
      ]),
      "kills",
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Certification

function renderCertification(c: CertificationReport): HTMLElement {
  const bad = c.scenarios.filter((s) => (s.verdict === "fail" || s.verdict === "error"));
  const verdictBadge = (v: string, deviation?: string): HTMLElement =>
    deviation
      ? badge("xfail", "scenario-only")
      : badge(v, v === "pass" ? "covered" : v === "skip" ? "explored-only" : "uncovered");
  const scenarioRow = (s: CertificationReport["scenarios"][number]): Child[] => [
    h("code", {}, s.name),
    verdictBadge(s.verdict, s.deviation),
    s.facts.join(", "),
    `${s.steps.filter((x) => x.pass).length}/${s.steps.length}`,
    `${s.elapsedMs.toFixed(1)} ms`,
  ];
  return section(
    "certification",
    "Certification",
    h(
      "p",
      {},
      `${c.implementation}: ${c.summary.pass} passed, ${c.summary.fail} failed, ${c.summary.error} errors, ${c.summary.skip} skipped, ${c.scenarios.length} scenarios, ${
        seconds(c.elapsedMs)
      } (started ${c.started}).`,
    ),
    bad.length
      ? [
        h("h3", {}, "Failures"),
        bad.map((s) =>
          h(
            "details",
            { class: "failure", open: true },
            h(
              "summary",
              {},
              h("code", {}, s.name),
              " ",
              verdictBadge(s.verdict, s.deviation),
              ` facts ${s.facts.join(", ")}`,
            ),
            s.reason ? h("p", {}, `Error: ${s.reason}`) : null,
            s.deviation ? h("p", {}, `Known deviation: ${s.deviation}`) : null,
            h("p", { class: "file" }, s.file),
            s.steps.filter((x) => !x.pass).map((x) =>
              h(
                "div",
                { class: "failed-step" },
                h(
                  "h4",
                  {},
                  `step ${x.index}: ${x.step.op}${x.step.dump ? " (dump)" : ""} @${x.step.netns}`,
                ),
                h("pre", { class: "json" }, JSON.stringify(x.step.request ?? null, null, 2)),
                h("ul", { class: "diff" }, x.diff.map((d) => h("li", {}, d))),
              )
            ),
          )
        ),
      ]
      : h("p", {}, "Every scenario passed or was skipped."),
    h(
      "details",
      { class: "all-scenarios" },
      h("summary", {}, `All ${c.scenarios.length} scenarios`),
      table(
        null,
        ["scenario", "verdict", "facts", "steps passed", "time"],
        c.scenarios.map(scenarioRow),
        "scenarios",
      ),
    ),
    h(
      "details",
      { class: "conformance" },
      h("summary", {}, `Conformance per fact (${c.facts.length} facts)`),
      table(
        null,
        ["fact", "verdict", "passed", "failed", "skipped"],
        c.facts.map((f) => [
          h("code", {}, f.id),
          f.fail.length
            ? badge("fails", "uncovered")
            : f.pass.length
            ? badge("conforms", "covered")
            : badge("untested", "explored-only"),
          String(f.pass.length),
          f.fail.length ? f.fail.join(", ") : "0",
          String(f.skip.length),
        ]),
        "conformance",
      ),
    ),
  );
}

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

function renderCounterexamples(doc: RunReport): HTMLElement | null {
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

// ---------------------------------------------------------------------------------------------
// Page

function main(): void {
  const root = document.getElementById("app");
  const data = document.getElementById("data");
  if (!root || !data) return;
  let doc: RunReport;
  try {
    doc = JSON.parse(data.textContent ?? "") as RunReport;
  } catch (error) {
    root.replaceChildren(
      h("p", { class: "error" }, `Cannot read the report data: ${String(error)}`),
    );
    return;
  }
  document.title = `${doc.tool.name} ${doc.kind}: ${statusWord(overallVerdict(doc).status)}${
    doc.spec ? ` — ${doc.spec.name}` : ""
  }`;
  const parts: [string, string, HTMLElement | null][] = [
    ["counterexamples", "Counterexamples", renderCounterexamples(doc)],
    ["config", "Configuration", renderConfig(doc)],
    ["stats", "State space", doc.results?.length ? renderStats(doc.results) : null],
    ["coverage", "Fact coverage", doc.factCoverage?.length ? renderFacts(doc.factCoverage) : null],
    ["kills", "Mutant kill table", doc.killTable?.length ? renderKills(doc.killTable) : null],
    [
      "certification",
      "Certification",
      doc.certification ? renderCertification(doc.certification) : null,
    ],
  ];
  const present = parts.filter(([, , el]) => el !== null);
  root.replaceChildren(
    renderHeader(doc),
    renderNav(present.map(([id, title]) => [id, title])),
    h("main", {}, present.map(([, , el]) => el)),
  );
}

main();
