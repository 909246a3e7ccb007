/**
 * Draws a state of the device model (`model/state.ts` `ModelState`) as SVG markup: namespaces as
 * boxes side by side, devices inside with their rx queues as small slots, lease arrows between
 * queues (red when one-way or dangling), memory-provider and AF_XDP marks on queues, netkit
 * pairs linked, in-flight processes with their locks, and the parts the last step changed
 * outlined.
 *
 * Pure string building (no DOM), so it runs in the viewer bundle and in Deno tests alike. The
 * state is read defensively: fields the drawing does not know are ignored, missing ones skipped.
 *
 * @module
 */

import type { Touched } from "./trace.ts";

interface DrawQueue {
  readonly lease?: { readonly dev: number; readonly queue: number } | null;
  readonly leaseTracker?: boolean;
  readonly mp?: number | null;
  readonly pool?: number | null;
}

interface DrawDevice {
  readonly kind?: string;
  readonly name?: string;
  readonly netns?: number;
  readonly ifindex?: number;
  readonly reg?: string;
  readonly up?: boolean;
  readonly realRx?: number;
  readonly rxq?: readonly DrawQueue[];
  readonly refs?: number;
  readonly movingNs?: boolean;
  readonly driver?: string;
  readonly pairing?: string;
  readonly primary?: boolean;
  readonly peer?: number | null;
  readonly queueMgmt?: boolean;
  readonly present?: boolean;
}

interface DrawNetns {
  readonly name?: string;
  readonly alive?: boolean;
  readonly nsids?: readonly number[];
}

interface DrawBinding {
  readonly kind?: string;
  readonly dev?: number | null;
  readonly queues?: readonly number[];
  readonly zeroCopy?: boolean;
}

/** A model state as the drawing sees it. */
export interface DrawState {
  /** Namespaces. */
  readonly netns: readonly DrawNetns[];
  /** Devices. */
  readonly devices: readonly DrawDevice[];
  /** Queue users. */
  readonly bindings?: readonly (DrawBinding | null)[];
  /** The first oops, or null. */
  readonly oops?: string | null;
  /** In-flight processes (any shape; `op`, `pc`, `held`, `want` are shown when present). */
  readonly procs?: readonly unknown[];
}

/**
 * True when `value` looks like a device-model state: `netns` and `devices` arrays, each device
 * with an `rxq` array.
 *
 * @example Usage
 * ```ts
 * import { isModelState } from "./draw.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isModelState({ lock: [0, 0] }), false);
 * assert.equal(isModelState({ netns: [], devices: [{ rxq: [] }] }), true);
 * ```
 */
export function isModelState(value: unknown): value is DrawState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.netns) && Array.isArray(v.devices) &&
    v.devices.every((d) =>
      typeof d === "object" && d !== null && Array.isArray((d as { rxq?: unknown }).rxq)
    );
}

/** Escapes text for SVG/HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SLOT = 26;
const SLOT_GAP = 6;
const PAD = 10;
const DEV_HEAD = 36;
const DEV_H = DEV_HEAD + SLOT + 12;
const DEV_GAP = 14;
const NS_HEAD = 42;
const NS_GAP = 90;
const MARGIN = 34;
const LINE = 17;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function bindingLetter(kind: string | undefined): string {
  return kind === "io-uring" ? "U" : kind === "devmem" ? "D" : kind === "xsk" ? "X" : "M";
}

function lockText(state: DrawState, lock: unknown): string {
  if (typeof lock === "number") return state.devices[lock]?.name ?? `dev ${lock}`;
  return String(lock);
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

/** Options of {@link drawState}. */
export interface DrawOptions {
  /** What the selected step changed, outlined in the drawing. */
  readonly touched?: Touched;
  /** Accessible title of the drawing. */
  readonly title?: string;
}

/**
 * SVG markup for a model state.
 *
 * @example Usage
 * ```ts
 * import { drawState } from "./draw.ts";
 * import assert from "node:assert/strict";
 * const svg = drawState({
 *   netns: [{ name: "init", alive: true, nsids: [-1] }],
 *   devices: [{ name: "eth0", kind: "physical", netns: 0, ifindex: 2, realRx: 1, rxq: [{ lease: null }] }],
 * });
 * assert.match(svg, /<svg[^>]*role="img"/);
 * assert.match(svg, /eth0/);
 * ```
 */
export function drawState(state: DrawState, options: DrawOptions = {}): string {
  const t = options.touched;
  const devices = state.devices;
  const bindings = state.bindings ?? [];
  const procs = (state.procs ?? []).map(record);

  // Who holds which lock, for marks on devices and the rtnl line.
  const holders = new Map<string, string[]>();
  procs.forEach((p, i) => {
    if (!p || !Array.isArray(p.held)) return;
    for (const l of p.held) {
      const key = String(l);
      holders.set(key, [...(holders.get(key) ?? []), `proc${i}`]);
    }
  });

  // Layout: one column per namespace, devices in ifindex order.
  const columns = state.netns.map((ns, i) => {
    const members = devices.map((d, di) => ({ d, di })).filter(({ d }) => d.netns === i)
      .sort((a, b) =>
        (a.d.reg === "gone" ? 1 : 0) - (b.d.reg === "gone" ? 1 : 0) ||
        (a.d.ifindex ?? 0) - (b.d.ifindex ?? 0)
      );
    const width = Math.max(
      200,
      ...members.map(({ d }) => 2 * PAD + (d.rxq?.length ?? 0) * (SLOT + SLOT_GAP) - SLOT_GAP),
    ) + 2 * PAD;
    return { ns, i, members, width };
  });
  const devBox = new Map<number, Box>();
  const devCol = new Map<number, number>();
  const slotBox = new Map<string, Box>();
  let x = MARGIN;
  const top = MARGIN + (state.oops ? LINE + 6 : 0) + (holders.has("rtnl") ? LINE : 0);
  let bottom = top;
  const nsBoxes: Box[] = [];
  for (const col of columns) {
    let y = top + NS_HEAD;
    for (const { d, di } of col.members) {
      const box = { x: x + PAD, y, w: col.width - 2 * PAD, h: DEV_H };
      devBox.set(di, box);
      devCol.set(di, nsBoxes.length);
      (d.rxq ?? []).forEach((_, q) => {
        slotBox.set(`${di}:${q}`, {
          x: box.x + PAD + q * (SLOT + SLOT_GAP),
          y: box.y + DEV_HEAD,
          w: SLOT,
          h: SLOT,
        });
      });
      y += DEV_H + DEV_GAP;
    }
    const h = Math.max(y - top, NS_HEAD + 30) + PAD - DEV_GAP + 6;
    nsBoxes.push({ x, y: top, w: col.width, h });
    bottom = Math.max(bottom, top + h);
    x += col.width + NS_GAP;
  }
  const width = Math.max(x - NS_GAP + MARGIN, 420);

  const out: string[] = [];
  const text = (tx: number, ty: number, s: string, cls: string, anchor = "start"): string =>
    `<text x="${tx}" y="${ty}" class="${cls}" text-anchor="${anchor}">${esc(s)}</text>`;

  if (state.oops) {
    out.push(text(MARGIN, MARGIN + 12, `kernel oops: ${state.oops}`, "oops"));
  }
  if (holders.has("rtnl")) {
    out.push(text(
      MARGIN,
      MARGIN + (state.oops ? LINE + 6 : 0) + 12,
      `rtnl held by ${holders.get("rtnl")!.join(", ")}`,
      "lock-note",
    ));
  }

  // Namespaces.
  columns.forEach((col, ci) => {
    const b = nsBoxes[ci];
    const alive = col.ns.alive !== false;
    const ids = (col.ns.nsids ?? []).map((id, peer) =>
      id >= 0 ? `${state.netns[peer]?.name ?? `netns ${peer}`}=${id}` : ""
    ).filter(Boolean);
    const cls = `netns${alive ? "" : " dead"}${t?.netns.has(col.i) ? " changed" : ""}`;
    out.push(
      `<g class="${cls}" data-netns="${col.i}"><title>${
        esc(`namespace ${col.ns.name ?? col.i} (netns ${col.i})${alive ? "" : ", deleted"}`)
      }</title>`,
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="10"/>`,
      text(
        b.x + PAD,
        b.y + 18,
        `${col.ns.name ?? `netns ${col.i}`}${alive ? "" : " (deleted)"}`,
        "ns-name",
      ),
      text(
        b.x + PAD,
        b.y + 33,
        ids.length ? `netns ids: ${ids.join(", ")}` : "no netns ids",
        "ns-ids",
      ),
      "</g>",
    );
  });

  // Devices and their queues.
  devices.forEach((d, di) => {
    const b = devBox.get(di);
    if (!b) return;
    const kind = d.kind === "physical"
      ? `physical${d.driver ? ` ${d.driver}` : ""}`
      : d.kind === "netkit"
      ? `netkit ${d.pairing ?? ""}${d.pairing === "pair" ? (d.primary ? " primary" : " peer") : ""}`
      : d.kind ?? "device";
    const flags = [
      d.up === false ? "down" : "up",
      d.reg && d.reg !== "registered" ? d.reg : "",
      d.movingNs ? "moving" : "",
      d.present === false ? "not present" : "",
      d.refs ? `refs ${d.refs}` : "",
    ].filter(Boolean);
    const lockedBy = holders.get(String(di));
    const cls = [
      "device",
      d.kind ?? "",
      d.reg === "gone" ? "gone" : d.reg === "unregistering" ? "unregistering" : "",
      t?.devices.has(di) ? "changed" : "",
    ].filter(Boolean).join(" ");
    out.push(
      `<g class="${cls}" data-dev="${di}"><title>${
        esc(
          `${d.name ?? `dev ${di}`} (device ${di}): ${kind}, ifindex ${d.ifindex}, ${
            flags.join(", ")
          }`,
        )
      }</title>`,
      `<rect class="dev-box" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`,
      text(b.x + 8, b.y + 15, `${d.name ?? `dev ${di}`}  if${d.ifindex ?? "?"}`, "dev-name"),
      text(b.x + 8, b.y + 29, `${kind} · ${flags.join(" · ")}`, "dev-info"),
    );
    if (lockedBy) {
      out.push(text(b.x + b.w - 6, b.y + 15, `locked: ${lockedBy.join(", ")}`, "lock-note", "end"));
    }
    (d.rxq ?? []).forEach((q, qi) => {
      const s = slotBox.get(`${di}:${qi}`)!;
      const live = qi < (d.realRx ?? d.rxq!.length);
      const marks: string[] = [];
      const target = q.lease ? devices[q.lease.dev] : undefined;
      if (q.lease) {
        marks.push(`leased with ${target?.name ?? `dev ${q.lease.dev}`} rxq ${q.lease.queue}`);
      }
      if (q.leaseTracker) marks.push("lease tracker holds a reference");
      if (q.mp !== null && q.mp !== undefined) {
        marks.push(`memory provider b${q.mp} (${bindings[q.mp]?.kind ?? "closed"})`);
      }
      if (q.pool !== null && q.pool !== undefined) marks.push(`AF_XDP pool b${q.pool}`);
      const qcls = [
        "rxq",
        live ? "live" : "spare",
        q.lease ? "leased" : "",
        t?.queues.has(`${di}:${qi}`) ? "changed" : "",
      ].filter(Boolean).join(" ");
      out.push(
        `<g class="${qcls}" data-queue="${di}:${qi}"><title>${
          esc(
            `${d.name ?? `dev ${di}`} rxq ${qi}${live ? "" : " (allocated, not live)"}${
              marks.length ? `: ${marks.join("; ")}` : ""
            }`,
          )
        }</title>`,
        `<rect class="slot" x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="3"/>`,
        text(s.x + s.w / 2, s.y + s.h / 2 + 4, String(qi), "q-index", "middle"),
      );
      if (q.mp !== null && q.mp !== undefined) {
        out.push(
          `<circle class="mp-mark" cx="${s.x + s.w - 3}" cy="${s.y + 3}" r="6"/>`,
          text(
            s.x + s.w - 3,
            s.y + 6.5,
            bindingLetter(bindings[q.mp]?.kind),
            "mark-letter",
            "middle",
          ),
        );
      }
      if (q.pool !== null && q.pool !== undefined) {
        out.push(
          `<rect class="pool-mark" x="${s.x - 3}" y="${s.y - 3}" width="11" height="11" rx="2"/>`,
          text(s.x + 2.5, s.y + 5.5, "X", "mark-letter", "middle"),
        );
      }
      if (q.leaseTracker) {
        out.push(
          `<rect class="tracker-mark" x="${s.x + 4}" y="${s.y + s.h - 4}" width="${
            s.w - 8
          }" height="3"/>`,
        );
      }
      out.push("</g>");
    });
    out.push("</g>");
  });

  // netkit pairs.
  const drawnPairs = new Set<string>();
  devices.forEach((d, di) => {
    if (d.kind !== "netkit" || d.peer === null || d.peer === undefined) return;
    const a = devBox.get(di);
    const b = devBox.get(d.peer);
    const key = [di, d.peer].sort().join("-");
    if (!a || !b || drawnPairs.has(key)) return;
    const mutual = devices[d.peer]?.peer === di;
    if (mutual) drawnPairs.add(key);
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const sameCol = Math.abs(a.x - b.x) < 1;
    const x1 = sameCol ? l.x + l.w : l.x + l.w;
    const y1 = l.y + 10;
    const x2 = sameCol ? r.x + r.w : r.x;
    const y2 = r.y + 10;
    const path = sameCol
      ? `M${x1},${y1} C${x1 + 40},${y1} ${x2 + 40},${y2} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + NS_GAP / 2},${y1} ${x2 - NS_GAP / 2},${y2} ${x2},${y2}`;
    out.push(
      `<path class="peer-link${mutual ? "" : " broken"}" d="${path}"><title>${
        esc(
          `netkit pair ${d.name} ↔ ${devices[d.peer]?.name ?? d.peer}${
            mutual ? "" : " (one-way peer pointer)"
          }`,
        )
      }</title></path>`,
    );
  });

  // Lease arrows, drawn from the virtual queue to the physical one.
  const drawn = new Set<string>();
  let sameColArrows = 0;
  devices.forEach((d, di) => {
    (d.rxq ?? []).forEach((q, qi) => {
      if (!q.lease) return;
      const from = `${di}:${qi}`;
      const to = `${q.lease.dev}:${q.lease.queue}`;
      if (drawn.has(`${from}>${to}`)) return;
      const back = devices[q.lease.dev]?.rxq?.[q.lease.queue]?.lease;
      const mutual = back?.dev === di && back?.queue === qi;
      const s = slotBox.get(from);
      const e = slotBox.get(to) ?? devBox.get(q.lease.dev);
      if (!s) return;
      const gone = devices[q.lease.dev] === undefined || devices[q.lease.dev].reg === "gone" ||
        slotBox.get(to) === undefined;
      let [src, dst]: [Box | undefined, Box | undefined] = [s, e];
      let [srcKey, dstKey] = [from, to];
      if (mutual) {
        drawn.add(`${to}>${from}`);
        // Point at the physical side.
        if (d.kind === "physical") [src, dst, srcKey, dstKey] = [e, s, to, from];
      }
      const cls = `lease-arrow${mutual && !gone ? "" : " broken"}`;
      const label = `${devices[Number(srcKey.split(":")[0])]?.name ?? srcKey} rxq ${
        srcKey.split(":")[1]
      } → ${devices[Number(dstKey.split(":")[0])]?.name ?? dstKey} rxq ${dstKey.split(":")[1]}${
        mutual ? "" : " (one-way: the other side does not point back)"
      }${gone ? " (dangling: the target is gone)" : ""}`;
      if (!dst || !src) {
        out.push(
          `<g class="${cls}"><title>${esc(label)}</title>`,
          text(s.x + s.w / 2, s.y + s.h + 14, "?", "dangling", "middle"),
          "</g>",
        );
        return;
      }
      const srcCol = devCol.get(Number(srcKey.split(":")[0]));
      const dstCol = devCol.get(Number(dstKey.split(":")[0]));
      let path: string;
      if (srcCol !== undefined && srcCol === dstCol && Math.abs(src.y - dst.y) > 1) {
        // Same namespace, different rows: leave and enter from the left, through the gutter.
        const gx = nsBoxes[srcCol].x - 10 - 6 * (sameColArrows++ % 3);
        const sy = src.y + src.h / 2;
        const ey = dst.y + dst.h / 2;
        path = `M${src.x},${sy} C${gx},${sy} ${gx},${ey} ${dst.x - 2},${ey}`;
      } else {
        const sx = src.x + src.w / 2;
        const sy = src.y + src.h;
        const ex = dst.x + dst.w / 2;
        const ey = dst.y + dst.h;
        const dip = 26 + Math.min(60, Math.abs(ex - sx) * 0.12) + Math.abs(ey - sy) * 0.1;
        path = `M${sx},${sy} C${sx},${Math.max(sy, ey) + dip} ${ex},${
          Math.max(sy, ey) + dip
        } ${ex},${ey + 2}`;
      }
      out.push(
        `<path class="${cls}" marker-end="url(#${
          mutual && !gone ? "arrow" : "arrow-bad"
        })" d="${path}"><title>${esc(label)}</title></path>`,
      );
    });
  });

  // Legend lines: bindings and processes.
  let y = bottom + 22;
  const legend: string[] = [];
  bindings.forEach((b, bi) => {
    if (!b) return;
    const dev = b.dev === null || b.dev === undefined
      ? "detached"
      : `${devices[b.dev]?.name ?? `dev ${b.dev}`} rxq ${(b.queues ?? []).join(",")}`;
    legend.push(`b${bi} ${b.kind ?? "binding"} → ${dev}${b.zeroCopy ? " (zero-copy)" : ""}`);
  });
  for (const line of legend) {
    out.push(text(MARGIN, y, line, "legend"));
    y += LINE;
  }
  procs.forEach((p, i) => {
    const cls = `proc${t?.procs.has(i) ? " changed" : ""}`;
    if (!p) {
      out.push(text(MARGIN, y, `proc${i}: idle`, `${cls} idle`));
      y += LINE;
      return;
    }
    const held = Array.isArray(p.held) ? p.held.map((l) => lockText(state, l)) : [];
    const want = p.want === null || p.want === undefined
      ? ""
      : `, ${p.acquire ? "acquires" : "waits for"} ${lockText(state, p.want)}`;
    out.push(text(
      MARGIN,
      y,
      `proc${i}: ${String(p.op ?? "?")} at ${String(p.pc ?? "?")}, holds ${
        held.length ? held.join(", ") : "nothing"
      }${want}`,
      cls,
    ));
    y += LINE;
  });
  const height = y + 4;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-drawing" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title>${esc(options.title ?? "device model state")}</title>`,
    "<defs>",
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker>',
    '<marker id="arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head bad"/></marker>',
    "</defs>",
    ...out,
    "</svg>",
  ].join("\n");
}
