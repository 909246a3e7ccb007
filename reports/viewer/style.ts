/**
 * The report page's style sheet, inlined into `index.html` by `reports/html.ts`.
 *
 * @module
 */

/** CSS of the report page (light and dark schemes). */
export const STYLE: string = `
:root {
  color-scheme: light dark;
  --bg: #fbfbfd; --fg: #1d2330; --muted: #5b6475; --line: #d6dae3; --panel: #ffffff;
  --accent: #2357c6; --ok: #17803d; --bad: #c0262d; --warn: #a35f00; --hi: #ffd84d;
  --ns: #f1f4fa; --dev: #ffffff; --q: #e9edf5; --lease: #2b6de0; --leased-q: #d5e3ff;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171d; --fg: #e3e7ef; --muted: #9aa3b5; --line: #343a47; --panel: #1c2029;
    --accent: #7aa5ff; --ok: #4cc17a; --bad: #ff6b6b; --warn: #f0b44c; --hi: #b8922a;
    --ns: #1f2430; --dev: #262c3a; --q: #30374a; --lease: #7aa5ff; --leased-q: #2c3f66;
  }
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
#app { max-width: 1500px; margin: 0 auto; padding: 0 20px 40px; }
header { padding-top: 14px; }
h1 { font-size: 1.5rem; margin: 0.3em 0 0; }
h2 { font-size: 1.25rem; margin: 0 0 0.5em; padding-top: 6px; }
h3 { font-size: 1.05rem; margin: 0.8em 0 0.4em; }
h4 { font-size: 0.95rem; margin: 0.6em 0 0.3em; color: var(--muted); }
.sub, .muted { color: var(--muted); }
.sub { margin: 0.2em 0 0.6em; }
code, pre, .label { font-family: var(--mono); font-size: 0.88em; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.verdict { display: flex; gap: 14px; align-items: baseline; padding: 12px 16px; border-radius: 8px;
  border: 2px solid; background: var(--panel); font-size: 1.05rem; }
.verdict-word { font-size: 1.3rem; letter-spacing: 0.04em; white-space: nowrap; }
.verdict.ok, .verdict.conforms { border-color: var(--ok); }
.verdict.ok .verdict-word, .verdict.conforms .verdict-word { color: var(--ok); }
.verdict.violation, .verdict.error, .verdict.fails { border-color: var(--bad); }
.verdict.violation .verdict-word, .verdict.error .verdict-word, .verdict.fails .verdict-word { color: var(--bad); }
.verdict.incomplete, .verdict.not-certified { border-color: var(--warn); }
.verdict.incomplete .verdict-word, .verdict.not-certified .verdict-word { color: var(--warn); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 12px 0; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 16px; margin: 14px 0; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0; }
caption { text-align: left; color: var(--muted); font-size: 0.9em; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
thead th { font-weight: 600; }
td .n, td.n, span.n { font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 9px; background: var(--accent); opacity: 0.55; border-radius: 2px;
  margin-left: 6px; vertical-align: middle; }
table.actions td:last-child { width: 240px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 118px; color: var(--muted); font-size: 0.88em; }
.card .num { color: var(--fg); font-size: 1.25rem; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 0.82em; border: 1px solid; white-space: nowrap; }
.badge.covered { color: var(--ok); }
.badge.explored-only, .badge.scenario-only { color: var(--warn); }
.badge.uncovered { color: var(--bad); font-weight: 600; }
table.matrix tr.differs td { background: var(--hi); }
table.matrix tr.differs.detail td { background: transparent; outline: 1px dashed var(--warn); }
tr.fact.uncovered th code { color: var(--bad); }
.controls { margin: 6px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
select, button { font: inherit; color: inherit; }
button { background: var(--panel); border: 1px solid var(--line); border-radius: 5px; padding: 3px 10px; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:disabled { opacity: 0.45; cursor: default; }
button.sort { border: none; padding: 0; font-weight: 600; background: none; }
th[aria-sort=ascending] button.sort::after { content: " ▲"; }
th[aria-sort=descending] button.sort::after { content: " ▼"; }
.scroll { overflow: auto; }
#coverage .scroll { max-height: 460px; }
td.scen { max-width: 560px; font-size: 0.9em; }
.fact-text { font-weight: normal; max-width: 460px; font-size: 0.9em; }
.fact-text summary { cursor: pointer; }
.fact-text p { margin: 0.3em 0; }
details.more { display: inline; }
details.more summary { display: inline; color: var(--accent); cursor: pointer; }
.picker { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.picker button[aria-pressed=true] { border-color: var(--accent); background: var(--leased-q); font-weight: 600; }
.trace-desc { margin: 0.2em 0; font-weight: 600; }
.trace-info p { margin: 0.2em 0; }
.keys { font-size: 0.85em; }
.cx { display: grid; grid-template-columns: minmax(300px, 38%) 1fr; gap: 16px; align-items: start; }
@media (max-width: 1000px) { .cx { grid-template-columns: 1fr; } }
.lanes-pane { position: sticky; top: 8px; }
.step-nav { display: flex; align-items: center; gap: 10px; margin-bottom: 6px; }
.position { font-variant-numeric: tabular-nums; min-width: 7em; text-align: center; }
.lanes-scroll { max-height: 72vh; }
table.lanes { width: 100%; table-layout: fixed; }
table.lanes th.idx { width: 2.4em; color: var(--muted); font-weight: normal; }
table.lanes td, table.lanes th { padding: 2px 4px; border-left: 1px dashed var(--line); }
table.lanes thead th { position: sticky; top: 0; background: var(--panel); font-family: var(--mono); font-size: 0.85em; }
.lane-locks { font-family: system-ui, sans-serif; font-weight: normal; color: var(--bad); font-size: 0.85em; }
button.step { width: 100%; text-align: left; font-family: var(--mono); font-size: 0.8em; padding: 2px 6px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; display: block; }
tr.selected { background: var(--leased-q); }
tr.selected button.step { border-color: var(--accent); border-width: 2px; font-weight: 600; }
td.init button.step { color: var(--muted); }
.detail-pane h3 { margin-top: 0; overflow-wrap: anywhere; }
.req-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr); gap: 14px; }
@media (max-width: 1200px) { .req-grid { grid-template-columns: 1fr; } }
.request p { margin: 0.2em 0; }
ul.notes { margin: 0.2em 0; padding-left: 1.2em; font-size: 0.9em; color: var(--muted); }
pre.json { background: var(--bg); border: 1px solid var(--line); border-radius: 5px; padding: 6px 8px;
  max-height: 200px; overflow: auto; margin: 4px 0; }
pre.scope { background: var(--bg); border: 1px solid var(--line); border-radius: 5px; padding: 6px 8px;
  white-space: pre-wrap; margin: 4px 0; }
ul.diff { list-style: none; padding: 0; margin: 0; font-family: var(--mono); font-size: 0.83em;
  max-height: 250px; overflow: auto; }
ul.diff li { padding: 2px 4px; border-left: 3px solid var(--hi); margin-bottom: 2px; overflow-wrap: anywhere; }
ul.diff .before { color: var(--bad); }
ul.diff .after { color: var(--ok); }
.drawing { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); padding: 4px; }
.drawing svg { display: block; max-width: 100%; height: auto; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; font-size: 0.82em; color: var(--muted); }
.key-swatch { display: inline-block; width: 18px; height: 10px; margin-right: 5px; vertical-align: middle; border-radius: 2px; }
.sw-lease { background: var(--lease); height: 3px; }
.sw-broken { background: var(--bad); height: 3px; }
.sw-peer { border-top: 2px dashed var(--muted); height: 0; }
.sw-mp { background: #8e44ad; border-radius: 50%; width: 10px; }
.sw-pool { background: #d35400; width: 10px; }
.sw-tracker { background: var(--fg); height: 3px; }
.sw-spare { border: 1px dashed var(--muted); }
.sw-changed { border: 2px solid var(--hi); }
ul.procs { font-family: var(--mono); font-size: 0.85em; }
ul.tree { list-style: none; margin: 0; padding-left: 1.1em; font-family: var(--mono); font-size: 0.83em; }
.plain-state > details > summary, .state-json summary { cursor: pointer; }
.key { color: var(--muted); }
.leaf.changed, summary.changed { background: var(--hi); color: #000; border-radius: 3px; }
.preview { color: var(--muted); }
details.failure { border-left: 3px solid var(--bad); padding-left: 10px; margin: 8px 0; }
details.failure > summary { cursor: pointer; }
.failed-step h4 { margin-bottom: 2px; }
p.file { font-family: var(--mono); font-size: 0.8em; color: var(--muted); }
.error { color: var(--bad); }

/* The drawing. */
svg.state-drawing text { font-family: system-ui, sans-serif; fill: var(--fg); }
svg .netns > rect { fill: var(--ns); stroke: var(--line); stroke-width: 1.5; }
svg .netns.dead > rect { stroke-dasharray: 6 4; opacity: 0.6; }
svg .netns.changed > rect { stroke: var(--hi); stroke-width: 3; }
svg .ns-name { font-weight: 700; font-size: 14px; }
svg .ns-ids { font-size: 11px; fill: var(--muted) !important; }
svg .dev-box { fill: var(--dev); stroke: var(--muted); stroke-width: 1; }
svg .device.netkit .dev-box { stroke: var(--accent); }
svg .device.gone { opacity: 0.45; }
svg .device.gone .dev-box, svg .device.unregistering .dev-box { stroke-dasharray: 5 3; }
svg .device.changed > .dev-box { stroke: var(--hi); stroke-width: 3; }
svg .dev-name { font-weight: 600; font-size: 13px; font-family: var(--mono) !important; }
svg .dev-info { font-size: 10.5px; fill: var(--muted) !important; }
svg .rxq .slot { fill: var(--q); stroke: var(--muted); stroke-width: 1; }
svg .rxq.spare .slot { fill: none; stroke-dasharray: 3 2; opacity: 0.7; }
svg .rxq.leased .slot { fill: var(--leased-q); stroke: var(--lease); stroke-width: 1.5; }
svg .rxq.changed > .slot { stroke: var(--hi); stroke-width: 3.5; }
svg .q-index { font-size: 11px; font-family: var(--mono) !important; }
svg .mp-mark { fill: #8e44ad; }
svg .pool-mark { fill: #d35400; }
svg .tracker-mark { fill: var(--fg); }
svg .mark-letter { font-size: 8.5px; font-weight: 700; fill: #fff !important; }
svg .lease-arrow { fill: none; stroke: var(--lease); stroke-width: 2.2; }
svg .lease-arrow.broken { stroke: var(--bad); stroke-dasharray: 7 4; stroke-width: 2.4; }
svg .arrow-head { fill: var(--lease); }
svg .arrow-head.bad { fill: var(--bad); }
svg .peer-link { fill: none; stroke: var(--muted); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .peer-link.broken { stroke: var(--bad); }
svg .dangling { fill: var(--bad) !important; font-weight: 700; }
svg .oops { fill: var(--bad) !important; font-weight: 700; font-size: 13px; }
svg .lock-note { fill: var(--bad) !important; font-size: 11px; }
svg .legend, svg .proc { font-size: 12px; font-family: var(--mono) !important; }
svg .proc.idle { fill: var(--muted) !important; }
svg .proc.changed { font-weight: 700; }
@media print { .lanes-pane { position: static; } .step-nav, .picker { display: none; } }
`;
