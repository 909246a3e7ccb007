// source-sha256: 65612d8c76c30e0da99c96e9a9de204df2e34699d39ac9f03f69517435920c66
(() => {
  // reports/viewer/draw.ts
  function isModelState(value) {
    if (typeof value !== "object" || value === null) return false;
    const v = value;
    return Array.isArray(v.netns) && Array.isArray(v.devices) && v.devices.every((d) => typeof d === "object" && d !== null && Array.isArray(d.rxq));
  }
  function esc(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }
  var SLOT = 26;
  var SLOT_GAP = 6;
  var PAD = 10;
  var DEV_HEAD = 36;
  var DEV_H = DEV_HEAD + SLOT + 12;
  var DEV_GAP = 14;
  var NS_HEAD = 42;
  var NS_GAP = 90;
  var MARGIN = 34;
  var LINE = 17;
  function bindingLetter(kind) {
    return kind === "io-uring" ? "U" : kind === "devmem" ? "D" : kind === "xsk" ? "X" : "M";
  }
  function lockText(state, lock) {
    if (typeof lock === "number") return state.devices[lock]?.name ?? `dev ${lock}`;
    return String(lock);
  }
  function record(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : void 0;
  }
  function drawState(state, options = {}) {
    const t = options.touched;
    const devices = state.devices;
    const bindings = state.bindings ?? [];
    const procs = (state.procs ?? []).map(record);
    const holders = /* @__PURE__ */ new Map();
    procs.forEach((p, i) => {
      if (!p || !Array.isArray(p.held)) return;
      for (const l of p.held) {
        const key = String(l);
        holders.set(key, [
          ...holders.get(key) ?? [],
          `proc${i}`
        ]);
      }
    });
    const columns = state.netns.map((ns, i) => {
      const members = devices.map((d, di) => ({
        d,
        di
      })).filter(({ d }) => d.netns === i).sort((a, b) => (a.d.reg === "gone" ? 1 : 0) - (b.d.reg === "gone" ? 1 : 0) || (a.d.ifindex ?? 0) - (b.d.ifindex ?? 0));
      const width2 = Math.max(200, ...members.map(({ d }) => 2 * PAD + (d.rxq?.length ?? 0) * (SLOT + SLOT_GAP) - SLOT_GAP)) + 2 * PAD;
      return {
        ns,
        i,
        members,
        width: width2
      };
    });
    const devBox = /* @__PURE__ */ new Map();
    const devCol = /* @__PURE__ */ new Map();
    const slotBox = /* @__PURE__ */ new Map();
    let x = MARGIN;
    const top = MARGIN + (state.oops ? LINE + 6 : 0) + (holders.has("rtnl") ? LINE : 0);
    let bottom = top;
    const nsBoxes = [];
    for (const col of columns) {
      let y2 = top + NS_HEAD;
      for (const { d, di } of col.members) {
        const box = {
          x: x + PAD,
          y: y2,
          w: col.width - 2 * PAD,
          h: DEV_H
        };
        devBox.set(di, box);
        devCol.set(di, nsBoxes.length);
        (d.rxq ?? []).forEach((_, q) => {
          slotBox.set(`${di}:${q}`, {
            x: box.x + PAD + q * (SLOT + SLOT_GAP),
            y: box.y + DEV_HEAD,
            w: SLOT,
            h: SLOT
          });
        });
        y2 += DEV_H + DEV_GAP;
      }
      const h2 = Math.max(y2 - top, NS_HEAD + 30) + PAD - DEV_GAP + 6;
      nsBoxes.push({
        x,
        y: top,
        w: col.width,
        h: h2
      });
      bottom = Math.max(bottom, top + h2);
      x += col.width + NS_GAP;
    }
    const width = Math.max(x - NS_GAP + MARGIN, 420);
    const out = [];
    const text = (tx, ty, s, cls, anchor = "start") => `<text x="${tx}" y="${ty}" class="${cls}" text-anchor="${anchor}">${esc(s)}</text>`;
    if (state.oops) {
      out.push(text(MARGIN, MARGIN + 12, `kernel oops: ${state.oops}`, "oops"));
    }
    if (holders.has("rtnl")) {
      out.push(text(MARGIN, MARGIN + (state.oops ? LINE + 6 : 0) + 12, `rtnl held by ${holders.get("rtnl").join(", ")}`, "lock-note"));
    }
    columns.forEach((col, ci) => {
      const b = nsBoxes[ci];
      const alive = col.ns.alive !== false;
      const ids = (col.ns.nsids ?? []).map((id, peer) => id >= 0 ? `${state.netns[peer]?.name ?? `netns ${peer}`}=${id}` : "").filter(Boolean);
      const cls = `netns${alive ? "" : " dead"}${t?.netns.has(col.i) ? " changed" : ""}`;
      out.push(`<g class="${cls}" data-netns="${col.i}"><title>${esc(`namespace ${col.ns.name ?? col.i} (netns ${col.i})${alive ? "" : ", deleted"}`)}</title>`, `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="10"/>`, text(b.x + PAD, b.y + 18, `${col.ns.name ?? `netns ${col.i}`}${alive ? "" : " (deleted)"}`, "ns-name"), text(b.x + PAD, b.y + 33, ids.length ? `netns ids: ${ids.join(", ")}` : "no netns ids", "ns-ids"), "</g>");
    });
    devices.forEach((d, di) => {
      const b = devBox.get(di);
      if (!b) return;
      const kind = d.kind === "physical" ? `physical${d.driver ? ` ${d.driver}` : ""}` : d.kind === "netkit" ? `netkit ${d.pairing ?? ""}${d.pairing === "pair" ? d.primary ? " primary" : " peer" : ""}` : d.kind ?? "device";
      const flags = [
        d.up === false ? "down" : "up",
        d.reg && d.reg !== "registered" ? d.reg : "",
        d.movingNs ? "moving" : "",
        d.present === false ? "not present" : "",
        d.refs ? `refs ${d.refs}` : ""
      ].filter(Boolean);
      const lockedBy = holders.get(String(di));
      const cls = [
        "device",
        d.kind ?? "",
        d.reg === "gone" ? "gone" : d.reg === "unregistering" ? "unregistering" : "",
        t?.devices.has(di) ? "changed" : ""
      ].filter(Boolean).join(" ");
      out.push(`<g class="${cls}" data-dev="${di}"><title>${esc(`${d.name ?? `dev ${di}`} (device ${di}): ${kind}, ifindex ${d.ifindex}, ${flags.join(", ")}`)}</title>`, `<rect class="dev-box" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`, text(b.x + 8, b.y + 15, `${d.name ?? `dev ${di}`}  if${d.ifindex ?? "?"}`, "dev-name"), text(b.x + 8, b.y + 29, `${kind} \xB7 ${flags.join(" \xB7 ")}`, "dev-info"));
      if (lockedBy) {
        out.push(text(b.x + b.w - 6, b.y + 15, `locked: ${lockedBy.join(", ")}`, "lock-note", "end"));
      }
      (d.rxq ?? []).forEach((q, qi) => {
        const s = slotBox.get(`${di}:${qi}`);
        const live = qi < (d.realRx ?? d.rxq.length);
        const marks = [];
        const target = q.lease ? devices[q.lease.dev] : void 0;
        if (q.lease) {
          marks.push(`leased with ${target?.name ?? `dev ${q.lease.dev}`} rxq ${q.lease.queue}`);
        }
        if (q.leaseTracker) marks.push("lease tracker holds a reference");
        if (q.mp !== null && q.mp !== void 0) {
          marks.push(`memory provider b${q.mp} (${bindings[q.mp]?.kind ?? "closed"})`);
        }
        if (q.pool !== null && q.pool !== void 0) marks.push(`AF_XDP pool b${q.pool}`);
        const qcls = [
          "rxq",
          live ? "live" : "spare",
          q.lease ? "leased" : "",
          t?.queues.has(`${di}:${qi}`) ? "changed" : ""
        ].filter(Boolean).join(" ");
        out.push(`<g class="${qcls}" data-queue="${di}:${qi}"><title>${esc(`${d.name ?? `dev ${di}`} rxq ${qi}${live ? "" : " (allocated, not live)"}${marks.length ? `: ${marks.join("; ")}` : ""}`)}</title>`, `<rect class="slot" x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="3"/>`, text(s.x + s.w / 2, s.y + s.h / 2 + 4, String(qi), "q-index", "middle"));
        if (q.mp !== null && q.mp !== void 0) {
          out.push(`<circle class="mp-mark" cx="${s.x + s.w - 3}" cy="${s.y + 3}" r="6"/>`, text(s.x + s.w - 3, s.y + 6.5, bindingLetter(bindings[q.mp]?.kind), "mark-letter", "middle"));
        }
        if (q.pool !== null && q.pool !== void 0) {
          out.push(`<rect class="pool-mark" x="${s.x - 3}" y="${s.y - 3}" width="11" height="11" rx="2"/>`, text(s.x + 2.5, s.y + 5.5, "X", "mark-letter", "middle"));
        }
        if (q.leaseTracker) {
          out.push(`<rect class="tracker-mark" x="${s.x + 4}" y="${s.y + s.h - 4}" width="${s.w - 8}" height="3"/>`);
        }
        out.push("</g>");
      });
      out.push("</g>");
    });
    const drawnPairs = /* @__PURE__ */ new Set();
    devices.forEach((d, di) => {
      if (d.kind !== "netkit" || d.peer === null || d.peer === void 0) return;
      const a = devBox.get(di);
      const b = devBox.get(d.peer);
      const key = [
        di,
        d.peer
      ].sort().join("-");
      if (!a || !b || drawnPairs.has(key)) return;
      const mutual = devices[d.peer]?.peer === di;
      if (mutual) drawnPairs.add(key);
      const [l, r] = a.x <= b.x ? [
        a,
        b
      ] : [
        b,
        a
      ];
      const sameCol = Math.abs(a.x - b.x) < 1;
      const x1 = sameCol ? l.x + l.w : l.x + l.w;
      const y1 = l.y + 10;
      const x2 = sameCol ? r.x + r.w : r.x;
      const y2 = r.y + 10;
      const path = sameCol ? `M${x1},${y1} C${x1 + 40},${y1} ${x2 + 40},${y2} ${x2},${y2}` : `M${x1},${y1} C${x1 + NS_GAP / 2},${y1} ${x2 - NS_GAP / 2},${y2} ${x2},${y2}`;
      out.push(`<path class="peer-link${mutual ? "" : " broken"}" d="${path}"><title>${esc(`netkit pair ${d.name} \u2194 ${devices[d.peer]?.name ?? d.peer}${mutual ? "" : " (one-way peer pointer)"}`)}</title></path>`);
    });
    const drawn = /* @__PURE__ */ new Set();
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
        const gone = devices[q.lease.dev] === void 0 || devices[q.lease.dev].reg === "gone" || slotBox.get(to) === void 0;
        let [src, dst] = [
          s,
          e
        ];
        let [srcKey, dstKey] = [
          from,
          to
        ];
        if (mutual) {
          drawn.add(`${to}>${from}`);
          if (d.kind === "physical") [src, dst, srcKey, dstKey] = [
            e,
            s,
            to,
            from
          ];
        }
        const cls = `lease-arrow${mutual && !gone ? "" : " broken"}`;
        const label = `${devices[Number(srcKey.split(":")[0])]?.name ?? srcKey} rxq ${srcKey.split(":")[1]} \u2192 ${devices[Number(dstKey.split(":")[0])]?.name ?? dstKey} rxq ${dstKey.split(":")[1]}${mutual ? "" : " (one-way: the other side does not point back)"}${gone ? " (dangling: the target is gone)" : ""}`;
        if (!dst || !src) {
          out.push(`<g class="${cls}"><title>${esc(label)}</title>`, text(s.x + s.w / 2, s.y + s.h + 14, "?", "dangling", "middle"), "</g>");
          return;
        }
        const srcCol = devCol.get(Number(srcKey.split(":")[0]));
        const dstCol = devCol.get(Number(dstKey.split(":")[0]));
        let path;
        if (srcCol !== void 0 && srcCol === dstCol && Math.abs(src.y - dst.y) > 1) {
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
          path = `M${sx},${sy} C${sx},${Math.max(sy, ey) + dip} ${ex},${Math.max(sy, ey) + dip} ${ex},${ey + 2}`;
        }
        out.push(`<path class="${cls}" marker-end="url(#${mutual && !gone ? "arrow" : "arrow-bad"})" d="${path}"><title>${esc(label)}</title></path>`);
      });
    });
    let y = bottom + 22;
    const legend2 = [];
    bindings.forEach((b, bi) => {
      if (!b) return;
      const dev = b.dev === null || b.dev === void 0 ? "detached" : `${devices[b.dev]?.name ?? `dev ${b.dev}`} rxq ${(b.queues ?? []).join(",")}`;
      legend2.push(`b${bi} ${b.kind ?? "binding"} \u2192 ${dev}${b.zeroCopy ? " (zero-copy)" : ""}`);
    });
    for (const line of legend2) {
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
      const want = p.want === null || p.want === void 0 ? "" : `, ${p.acquire ? "acquires" : "waits for"} ${lockText(state, p.want)}`;
      out.push(text(MARGIN, y, `proc${i}: ${String(p.op ?? "?")} at ${String(p.pc ?? "?")}, holds ${held.length ? held.join(", ") : "nothing"}${want}`, cls));
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
      "</svg>"
    ].join("\n");
  }

  // reports/viewer/summary.ts
  var fmt = (n) => Math.round(n).toLocaleString("en-US");
  function firstViolation(r) {
    const v = r.violations[0];
    if (!v) return "no violation";
    switch (v.kind) {
      case "invariant":
        return `invariant ${v.name} is violated`;
      case "property":
        return `action property ${v.name} is violated`;
      case "deadlock":
        return "deadlock";
      case "lock-order":
        return `lock-order cycle ${v.name}`;
      case "error":
        return `the spec threw in ${v.name}`;
    }
  }
  function resultHeadline(r) {
    const space = `${fmt(r.stats.distinct)} distinct states (depth ${r.stats.depth})`;
    switch (r.verdict) {
      case "ok":
        return `${r.spec}: ok, no violation in ${space}`;
      case "incomplete":
        return `${r.spec}: incomplete, no violation so far in ${space}; stopped: ${r.stoppedBecause ?? "early"}`;
      case "violation":
      case "error":
        return `${r.spec}: ${r.verdict}, ${firstViolation(r)}${r.violations.length > 1 ? ` (+${r.violations.length - 1} more)` : ""}`;
    }
  }
  function overallVerdict(doc) {
    const results = doc.results ?? [];
    const parts = [];
    let status = "ok";
    const rank = {
      ok: 0,
      conforms: 0,
      incomplete: 1,
      violation: 2,
      fails: 2,
      error: 3
    };
    const worse = (s) => {
      if (rank[s] > rank[status]) status = s;
    };
    for (const r of results) {
      worse(r.verdict);
      parts.push(resultHeadline(r));
    }
    const c = doc.certification;
    if (c) {
      const xfail = c.scenarios.filter((s) => s.deviation).length;
      const failed = c.summary.fail + c.summary.error - xfail;
      if (failed > 0) worse("fails");
      else if (results.length === 0) status = "conforms";
      parts.push(`${c.implementation} ${failed > 0 ? "does not conform" : "conforms"}: ${c.summary.pass} passed, ${failed} failed, ${xfail} known deviations, ${c.summary.skip} skipped`);
    }
    if (doc.traces?.length && results.length === 0 && !c) {
      parts.push(doc.traces.map((t) => `${t.name}${t.description ? `: ${t.description}` : ""}`).join("; "));
    }
    if (parts.length === 0) parts.push("nothing was run");
    return {
      status,
      headline: parts.join(" \xB7 ")
    };
  }
  function statusWord(status) {
    return status === "fails" ? "does not conform" : status;
  }
  function splitId(id) {
    const m = /^(.*?)(\d+)(.*)$/.exec(id);
    return m ? [
      m[1],
      Number(m[2]),
      m[3]
    ] : [
      id,
      -1,
      ""
    ];
  }
  function compareFacts(a, b) {
    const [pa, na, ra] = splitId(a);
    const [pb, nb, rb] = splitId(b);
    return pa !== pb ? pa < pb ? -1 : 1 : na !== nb ? na - nb : ra < rb ? -1 : ra > rb ? 1 : 0;
  }
  function factGroup(id) {
    const i = id.lastIndexOf("-");
    return i > 0 ? id.slice(0, i) : id;
  }
  function factStatus(f) {
    if (f.reached > 0) return f.scenarios.length > 0 ? "covered" : "explored only";
    return f.scenarios.length > 0 ? "scenario only" : "uncovered";
  }

  // reports/text.ts
  function toJsonValue(value) {
    if (Array.isArray(value)) return value.map(toJsonValue);
    if (value instanceof Map) return [
      ...value
    ].map(([k, v]) => [
      toJsonValue(k),
      toJsonValue(v)
    ]);
    if (value instanceof Set) return [
      ...value
    ].map(toJsonValue);
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "object" && value !== null) {
      const out = {};
      for (const [k, v] of Object.entries(value)) if (v !== void 0) out[k] = toJsonValue(v);
      return out;
    }
    return value;
  }
  function compactJson(value, max = 160) {
    const text = value === void 0 ? "(none)" : JSON.stringify(toJsonValue(value)) ?? String(value);
    return text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;
  }
  function isRecord(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set);
  }
  function diffEntries(before, after, path = "") {
    if (before === after) return [];
    if (Array.isArray(before) && Array.isArray(after)) {
      const out = [];
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        out.push(...diffEntries(before[i], after[i], `${path}[${i}]`));
      }
      return out;
    }
    if (isRecord(before) && isRecord(after)) {
      const out = [];
      for (const k of /* @__PURE__ */ new Set([
        ...Object.keys(before),
        ...Object.keys(after)
      ])) {
        out.push(...diffEntries(before[k], after[k], path ? `${path}.${k}` : k));
      }
      return out;
    }
    if (JSON.stringify(toJsonValue(before)) === JSON.stringify(toJsonValue(after))) return [];
    return [
      {
        path: path || "state",
        before,
        after
      }
    ];
  }
  function describeViolation(v) {
    switch (v.kind) {
      case "invariant":
        return `invariant ${v.name} is violated${v.description ? ` (${v.description})` : ""}`;
      case "property":
        return `action property ${v.name} is violated${v.description ? ` (${v.description})` : ""}`;
      case "deadlock":
        return v.rule === "no-progress" ? "deadlock: processes are in flight in a reachable state and none can take a step (only idle requests are enabled)" : "deadlock: a reachable state has no enabled action and is not a valid end state";
      case "lock-order":
        return `lock-order cycle ${v.name}: a potential deadlock (locks taken in opposite orders)`;
      case "error":
        return `the spec threw in ${v.name}: ${v.message}`;
    }
  }

  // reports/viewer/trace.ts
  function isRecord2(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
  }
  function listTraces(doc) {
    const out = [];
    (doc.results ?? []).forEach((r, ri) => {
      r.violations.forEach((v, vi) => {
        if (v.kind === "lock-order") {
          v.cycle.forEach((edge, ei) => out.push({
            id: `r${ri}v${vi}e${ei}`,
            title: `lock order ${edge.from} \u2192 ${edge.to}`,
            description: `${describeViolation(v)}; this trace: ${edge.process} holds ${edge.from} and takes ${edge.to}`,
            spec: r.spec,
            kind: v.kind,
            trace: edge.trace,
            edge: {
              from: edge.from,
              to: edge.to,
              process: edge.process
            }
          }));
          return;
        }
        out.push({
          id: `r${ri}v${vi}`,
          title: v.kind === "deadlock" ? "deadlock" : `${v.kind} ${v.name}`,
          description: describeViolation(v),
          spec: r.spec,
          kind: v.kind,
          trace: v.trace,
          ...v.kind === "deadlock" && v.locks ? {
            locks: v.locks
          } : {}
        });
      });
    });
    (doc.traces ?? []).forEach((t, i) => out.push({
      id: `t${i}`,
      title: t.name,
      description: t.description ?? "",
      kind: "trace",
      trace: t.trace
    }));
    return out;
  }
  function isNone(v) {
    return v === null || v === void 0;
  }
  function procsOf(state) {
    if (!isRecord2(state)) return void 0;
    const procs = state.procs ?? state.processes;
    return Array.isArray(procs) ? procs : void 0;
  }
  function netnsName(state, index) {
    if (typeof index === "string") return index;
    if (isRecord2(state) && Array.isArray(state.netns) && typeof index === "number") {
      const ns = state.netns[index];
      if (isRecord2(ns) && typeof ns.name === "string") return ns.name;
    }
    return `netns ${String(index)}`;
  }
  function laneOf(step, prev) {
    if (prev === void 0) return null;
    const param = step.param;
    if (isRecord2(param) && (typeof param.process === "string" || typeof param.process === "number")) {
      return typeof param.process === "number" ? `p${param.process}` : param.process;
    }
    const before = procsOf(prev.state);
    const after = procsOf(step.state);
    if (before && after) {
      if (typeof param === "number" && !isNone(before[param])) return `proc${param}`;
      const started = after.findIndex((p, i) => !isNone(p) && isNone(before[i]));
      if (started >= 0) return `proc${started}`;
      const changed = after.map((_, i) => i).filter((i) => JSON.stringify(before[i]) !== JSON.stringify(after[i]));
      if (changed.length === 1) return `proc${changed[0]}`;
      return "atomic";
    }
    const named = /\(([A-Za-z_]+\d+)\)$/.exec(step.label);
    if (named) return named[1];
    if (isRecord2(param) && param.caller !== void 0) {
      const caller = param.caller;
      const ns = isRecord2(caller) ? caller.netns : caller;
      return `@${netnsName(prev.state, ns)}`;
    }
    return "main";
  }
  function laneKey(name) {
    const m = /^(.*?)(\d+)$/.exec(name);
    const group = name.startsWith("@") ? 1 : name === "atomic" || name === "main" ? 2 : 0;
    return m ? [
      group,
      m[1],
      Number(m[2])
    ] : [
      group,
      name,
      -1
    ];
  }
  function compareLanes(a, b) {
    const [ga, pa, na] = laneKey(a);
    const [gb, pb, nb] = laneKey(b);
    if (ga !== gb) return ga - gb;
    if (pa !== pb) return pa < pb ? -1 : 1;
    return na - nb;
  }
  function lanesOf(trace, locks) {
    const ofStep = trace.steps.map((s, i) => laneOf(s, trace.steps[i - 1]));
    const names = /* @__PURE__ */ new Set();
    for (const l of ofStep) if (l !== null) names.add(l);
    const byLane = {};
    if (locks?.length) {
      const indexed = [
        ...names
      ].map((n) => /^([A-Za-z_]+)\d+$/.exec(n)?.[1]).find((p) => p);
      const prefix = indexed ?? (procsOf(trace.steps[0]?.state) ? "proc" : "p");
      locks.forEach((l, i) => {
        names.add(`${prefix}${i}`);
        byLane[`${prefix}${i}`] = l;
      });
    }
    if (names.size === 0) names.add("main");
    return {
      names: [
        ...names
      ].sort(compareLanes),
      ofStep,
      locks: byLane
    };
  }
  function lockName(state, lock) {
    if (typeof lock === "number" && isRecord2(state) && Array.isArray(state.devices)) {
      const d = state.devices[lock];
      if (isRecord2(d) && typeof d.name === "string") return `${d.name} (dev ${lock})`;
    }
    return String(lock);
  }
  function lockNames(state, locks) {
    return locks.map((l) => lockName(state, l));
  }
  function requestOf(step, prev) {
    if (prev === void 0) return {
      title: "initial state",
      notes: []
    };
    const param = step.param;
    const before = procsOf(prev.state);
    if (typeof param === "number" && before && isRecord2(before[param])) {
      const p = before[param];
      const after = procsOf(step.state)?.[param];
      const notes = [
        `process: proc${param}`,
        `pc: ${String(p.pc)} \u2192 ${isRecord2(after) ? String(after.pc) : "done"}`
      ];
      if (Array.isArray(p.held) && p.held.length) {
        notes.push(`held before: ${lockNames(prev.state, p.held).join(", ")}`);
      }
      if (p.want !== null && p.want !== void 0) {
        notes.push(`${p.acquire ? "acquires" : "waits for"}: ${lockName(prev.state, p.want)}`);
      }
      const req = isRecord2(p.step) ? p.step : {};
      if (isRecord2(req.caller)) notes.unshift(`caller: ${netnsName(prev.state, req.caller.netns)}`);
      return {
        title: `${String(p.op ?? step.action)} continues (${step.label})`,
        body: "request" in req ? req.request : p.step,
        notes
      };
    }
    if (isRecord2(param) && "request" in param) {
      const notes = [];
      const caller = param.caller;
      if (caller !== void 0) {
        notes.push(`caller: ${netnsName(prev.state, isRecord2(caller) ? caller.netns : caller)}`);
        if (isRecord2(caller) && caller.capNetAdmin === false) notes.push("without CAP_NET_ADMIN");
      }
      for (const [k, v] of Object.entries(param)) {
        if (k !== "op" && k !== "caller" && k !== "request" && v !== void 0) {
          notes.push(`${k}: ${compactJson(v, 80)}`);
        }
      }
      return {
        title: String(param.op ?? step.action),
        body: param.request,
        notes
      };
    }
    return {
      title: step.label,
      ...param === void 0 || typeof param === "number" ? {} : {
        body: param
      },
      notes: typeof param === "number" ? [
        `parameter: ${param}`
      ] : []
    };
  }
  function shortLabel(step, prev) {
    if (prev === void 0) return "Init";
    const param = step.param;
    const before = procsOf(prev.state);
    if (typeof param === "number" && before && isRecord2(before[param])) {
      const p = before[param];
      const after = procsOf(step.state)?.[param];
      const next = isRecord2(after) && after.op === p.op ? String(after.pc) : "done";
      return `${String(p.op ?? step.action)}: ${String(p.pc)} \u2192 ${next}`;
    }
    if (isRecord2(param) && "request" in param) {
      const caller = param.caller;
      return `${String(param.op ?? step.action)}${caller === void 0 ? "" : ` @${netnsName(prev.state, isRecord2(caller) ? caller.netns : caller)}`}`;
    }
    return step.label;
  }
  function touched(paths) {
    const devices = /* @__PURE__ */ new Set();
    const queues = /* @__PURE__ */ new Set();
    const netns = /* @__PURE__ */ new Set();
    const procs = /* @__PURE__ */ new Set();
    for (const p of paths) {
      const d = /^devices\[(\d+)\](?:\.rxq\[(\d+)\])?/.exec(p);
      if (d) {
        devices.add(Number(d[1]));
        if (d[2] !== void 0) queues.add(`${d[1]}:${d[2]}`);
      }
      const n = /^netns\[(\d+)\]/.exec(p);
      if (n) netns.add(Number(n[1]));
      const q = /^(?:procs|processes)\[(\d+)\]/.exec(p);
      if (q) procs.add(Number(q[1]));
    }
    return {
      devices,
      queues,
      netns,
      procs
    };
  }

  // reports/viewer/app.ts
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === void 0 || v === false) continue;
      if (typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
    el.append(...nodes(children));
    return el;
  }
  function nodes(children) {
    const out = [];
    for (const c of children) {
      if (c === null || c === void 0 || c === false) continue;
      if (typeof c === "string" || c instanceof Node) out.push(c);
      else out.push(...nodes(c));
    }
    return out;
  }
  function fillWith(el, ...children) {
    el.replaceChildren(...nodes(children));
  }
  var fmt2 = (n) => Math.round(n).toLocaleString("en-US");
  var seconds = (ms) => `${(ms / 1e3).toFixed(ms < 1e4 ? 2 : 1)} s`;
  function section(id, title, ...children) {
    return h("section", {
      id,
      "aria-labelledby": `${id}-h`
    }, h("h2", {
      id: `${id}-h`
    }, title), ...children);
  }
  function table(caption, head, rows, cls = "") {
    return h("table", {
      class: cls
    }, caption ? h("caption", {}, caption) : null, h("thead", {}, h("tr", {}, head.map((c) => h("th", {
      scope: "col"
    }, c)))), h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
  }
  function badge(text, kind) {
    return h("span", {
      class: `badge ${kind}`
    }, text);
  }
  function renderHeader(doc) {
    const v = overallVerdict(doc);
    const sub = [
      `${doc.kind} run`,
      `${doc.tool.name} ${doc.tool.version}`,
      doc.spec ? `spec ${doc.spec.name}` : null,
      doc.created ? `written ${doc.created}` : null
    ].filter(Boolean).join(" \xB7 ");
    return h("header", {}, h("h1", {}, `${doc.tool.name} report`), h("p", {
      class: "sub"
    }, sub), h("div", {
      class: `verdict ${v.status}`,
      id: "verdict",
      role: "status"
    }, h("strong", {
      class: "verdict-word"
    }, statusWord(v.status).toUpperCase()), h("span", {
      class: "verdict-text"
    }, v.headline)));
  }
  function renderNav(links) {
    return h("nav", {
      "aria-label": "Sections"
    }, h("ul", {}, links.map(([id, title]) => h("li", {}, h("a", {
      href: `#${id}`
    }, title)))));
  }
  function renderConfig(doc) {
    const rows = [
      [
        "tool",
        `${doc.tool.name} ${doc.tool.version}`
      ],
      [
        "run",
        doc.kind
      ]
    ];
    if (doc.spec) {
      rows.push([
        "spec",
        doc.spec.name
      ]);
      if (doc.spec.version) rows.push([
        "spec version",
        doc.spec.version
      ]);
      const params = Object.entries(doc.spec.params);
      rows.push([
        "parameters",
        params.length ? params.map(([k, v]) => `${k}=${compactJson(v, 60)}`).join(", ") : "defaults"
      ]);
    }
    for (const r of doc.results ?? []) {
      rows.push([
        `result ${r.spec}`,
        `${r.mode}${r.seed !== void 0 ? `, seed ${r.seed}` : ""}, fingerprints ${r.fingerprints.mode}${r.fingerprints.collisionProbability !== void 0 ? ` (collision probability ${r.fingerprints.collisionProbability.toExponential(1)})` : ""}`
      ]);
    }
    if (doc.certification) rows.push([
      "implementation",
      doc.certification.implementation
    ]);
    for (const [k, v] of Object.entries(doc.certification?.implementationInfo ?? {})) {
      rows.push([
        k,
        v
      ]);
    }
    if (doc.created) rows.push([
      "written",
      doc.created
    ]);
    if (doc.argv?.length) rows.push([
      "command",
      h("code", {}, doc.argv.join(" "))
    ]);
    if (doc.reproduce?.run) rows.push([
      "rerun",
      h("code", {}, doc.reproduce.run)
    ]);
    return section("config", "Configuration", h("dl", {
      class: "kv"
    }, rows.map(([k, v]) => [
      h("dt", {}, k),
      h("dd", {}, v)
    ])));
  }
  function renderStats(results) {
    return section("stats", "State space", results.map((r) => {
      const s = r.stats;
      const steps = r.mode === "simulation" ? "steps" : "transitions";
      const cards = [
        [
          "distinct states",
          fmt2(s.distinct)
        ],
        [
          `${steps} generated`,
          fmt2(s.generated)
        ],
        [
          "depth",
          String(s.depth)
        ],
        [
          "left in queue",
          fmt2(s.queued)
        ],
        [
          "time",
          seconds(s.elapsedMs)
        ],
        [
          "states/s",
          fmt2(s.statesPerSecond)
        ],
        [
          "initial states",
          fmt2(s.initial)
        ],
        [
          "deadlocked states",
          fmt2(s.deadlocked)
        ]
      ];
      const actions = Object.entries(s.perAction);
      const max = Math.max(1, ...actions.map(([, a]) => a.generated));
      return h("div", {
        class: "result-stats"
      }, h("h3", {}, resultHeadline(r)), h("div", {
        class: "cards"
      }, cards.map(([k, v]) => h("div", {
        class: "card"
      }, h("div", {
        class: "num"
      }, v), h("div", {}, k)))), actions.length ? table(`Per action (${r.mode === "exhaustive" ? "transitions and new distinct states" : "steps"})`, [
        "action",
        steps,
        "new states",
        ""
      ], actions.map(([name, a]) => [
        h("code", {}, name),
        h("span", {
          class: "n"
        }, fmt2(a.generated)),
        h("span", {
          class: "n"
        }, r.mode === "exhaustive" ? fmt2(a.distinct) : "\u2013"),
        h("span", {
          class: "bar",
          style: `width:${Math.max(1, a.generated / max * 100).toFixed(1)}%`,
          "aria-hidden": "true"
        })
      ]), "actions") : null, r.lockOrder?.length ? h("p", {}, "Lock-order edges seen: ", r.lockOrder.map((e) => `${e.from} \u2192 ${e.to}`).join(", ")) : null);
    }));
  }
  function renderFacts(facts) {
    const counts = {
      covered: 0,
      "explored only": 0,
      "scenario only": 0,
      uncovered: 0
    };
    for (const f of facts) counts[factStatus(f)]++;
    const reached = facts.filter((f) => f.reached > 0).length;
    const cited = facts.filter((f) => f.scenarios.length > 0).length;
    let sort = "id";
    let descending = false;
    let filter = "all";
    let group = "all";
    const tbody = h("tbody", {});
    const groups = [
      ...new Set(facts.map((f) => factGroup(f.id)))
    ].sort();
    const statusOrder = [
      "uncovered",
      "scenario only",
      "explored only",
      "covered"
    ];
    const heads = [
      [
        "id",
        "fact"
      ],
      [
        "status",
        "status"
      ],
      [
        "reached",
        "reached (times)"
      ],
      [
        "scenarios",
        "scenarios"
      ]
    ];
    const headCells = heads.map(([key, label]) => {
      const button = h("button", {
        type: "button",
        class: "sort",
        onclick: () => {
          descending = sort === key ? !descending : key !== "id";
          sort = key;
          fill();
        }
      }, label);
      return {
        key,
        th: h("th", {
          scope: "col",
          "aria-sort": "none"
        }, button)
      };
    });
    const maxReached = Math.max(1, ...facts.map((f) => f.reached));
    function fill() {
      const rows = facts.filter((f) => (filter === "all" || factStatus(f) === filter) && (group === "all" || factGroup(f.id) === group));
      const key = (f) => sort === "reached" ? f.reached : sort === "scenarios" ? f.scenarios.length : statusOrder.indexOf(factStatus(f));
      rows.sort((a, b) => {
        const c = sort === "id" ? compareFacts(a.id, b.id) : key(a) - key(b) || compareFacts(a.id, b.id);
        return descending ? -c : c;
      });
      for (const { key: k, th } of headCells) {
        th.setAttribute("aria-sort", k === sort ? descending ? "descending" : "ascending" : "none");
      }
      fillWith(tbody, rows.map((f) => {
        const st = factStatus(f);
        const shown = f.scenarios.slice(0, 4);
        return h("tr", {
          class: `fact ${st.replace(" ", "-")}`,
          "data-fact": f.id
        }, h("th", {
          scope: "row"
        }, h("code", {}, f.id)), h("td", {}, badge(st, st.replace(" ", "-"))), h("td", {
          class: "n"
        }, h("span", {
          class: "reach"
        }, f.reached ? fmt2(f.reached) : "0"), f.reached ? h("span", {
          class: "bar",
          style: `width:${Math.max(2, Math.log1p(f.reached) / Math.log1p(maxReached) * 60).toFixed(0)}px`,
          "aria-hidden": "true"
        }) : null), h("td", {
          class: "scen"
        }, f.scenarios.length === 0 ? "\u2014" : shown.join(", "), f.scenarios.length > shown.length ? h("details", {
          class: "more"
        }, h("summary", {}, `+${f.scenarios.length - shown.length} more`), f.scenarios.slice(shown.length).join(", ")) : null));
      }));
    }
    fill();
    const filterSelect = h("select", {
      id: "fact-filter",
      onchange: (e) => {
        filter = e.target.value;
        fill();
      }
    }, h("option", {
      value: "all"
    }, `all (${facts.length})`), statusOrder.map((s) => h("option", {
      value: s
    }, `${s} (${counts[s]})`)));
    const groupSelect = h("select", {
      id: "fact-group",
      onchange: (e) => {
        group = e.target.value;
        fill();
      }
    }, h("option", {
      value: "all"
    }, "all groups"), groups.map((g) => h("option", {
      value: g
    }, g)));
    return section("coverage", "Spec-fact coverage", h("p", {
      class: "coverage-summary"
    }, `${reached} of ${facts.length} facts reached by exploration, ${cited} cited by a scenario; `, badge(`${counts.covered} covered`, "covered"), " ", badge(`${counts["explored only"]} explored only`, "explored-only"), " ", badge(`${counts["scenario only"]} scenario only`, "scenario-only"), " ", badge(`${counts.uncovered} uncovered`, "uncovered")), h("div", {
      class: "controls"
    }, h("label", {
      for: "fact-filter"
    }, "Show "), filterSelect, " ", h("label", {
      for: "fact-group"
    }, "Group "), groupSelect), h("div", {
      class: "scroll"
    }, h("table", {
      class: "facts",
      id: "fact-table"
    }, h("caption", {}, "Each fact id: whether exploration reached it, how often, and which scenarios cite it. Click a heading to sort."), h("thead", {}, h("tr", {}, headCells.map((c) => c.th))), tbody)));
  }
  function renderKills(rows) {
    const caught = rows.filter((r) => r.caughtBy !== null).length;
    return section("kills", "Mutant kill table", h("p", {}, `${caught} of ${rows.length} mutants caught.`), table(null, [
      "mutant",
      "caught by",
      "how",
      "trace length",
      "time"
    ], rows.map((r) => [
      h("code", {}, r.mutant),
      r.caughtBy === null ? badge("NOT CAUGHT", "uncovered") : r.caughtBy,
      r.kind,
      r.traceLength === null ? "\u2014" : String(r.traceLength),
      seconds(r.ms)
    ]), "kills"));
  }
  function renderCertification(c) {
    const bad = c.scenarios.filter((s) => s.verdict === "fail" || s.verdict === "error");
    const verdictBadge = (v, deviation) => deviation ? badge("xfail", "scenario-only") : badge(v, v === "pass" ? "covered" : v === "skip" ? "explored-only" : "uncovered");
    const scenarioRow = (s) => [
      h("code", {}, s.name),
      verdictBadge(s.verdict, s.deviation),
      s.facts.join(", "),
      `${s.steps.filter((x) => x.pass).length}/${s.steps.length}`,
      `${s.elapsedMs.toFixed(1)} ms`
    ];
    return section("certification", "Certification", h("p", {}, `${c.implementation}: ${c.summary.pass} passed, ${c.summary.fail} failed, ${c.summary.error} errors, ${c.summary.skip} skipped, ${c.scenarios.length} scenarios, ${seconds(c.elapsedMs)} (started ${c.started}).`), bad.length ? [
      h("h3", {}, "Failures"),
      bad.map((s) => h("details", {
        class: "failure",
        open: true
      }, h("summary", {}, h("code", {}, s.name), " ", verdictBadge(s.verdict, s.deviation), ` facts ${s.facts.join(", ")}`), s.reason ? h("p", {}, `Error: ${s.reason}`) : null, s.deviation ? h("p", {}, `Known deviation: ${s.deviation}`) : null, h("p", {
        class: "file"
      }, s.file), s.steps.filter((x) => !x.pass).map((x) => h("div", {
        class: "failed-step"
      }, h("h4", {}, `step ${x.index}: ${x.step.op}${x.step.dump ? " (dump)" : ""} @${x.step.netns}`), h("pre", {
        class: "json"
      }, JSON.stringify(x.step.request ?? null, null, 2)), h("ul", {
        class: "diff"
      }, x.diff.map((d) => h("li", {}, d)))))))
    ] : h("p", {}, "Every scenario passed or was skipped."), h("details", {
      class: "all-scenarios"
    }, h("summary", {}, `All ${c.scenarios.length} scenarios`), table(null, [
      "scenario",
      "verdict",
      "facts",
      "steps passed",
      "time"
    ], c.scenarios.map(scenarioRow), "scenarios")), h("details", {
      class: "conformance"
    }, h("summary", {}, `Conformance per fact (${c.facts.length} facts)`), table(null, [
      "fact",
      "verdict",
      "passed",
      "failed",
      "skipped"
    ], c.facts.map((f) => [
      h("code", {}, f.id),
      f.fail.length ? badge("fails", "uncovered") : f.pass.length ? badge("conforms", "covered") : badge("untested", "explored-only"),
      String(f.pass.length),
      f.fail.length ? f.fail.join(", ") : "0",
      String(f.skip.length)
    ]), "conformance")));
  }
  function jsonTree(value, path, changed, depth = 0) {
    const isChanged = (p) => {
      for (const c of changed) {
        if (c === p || c.startsWith(`${p}.`) || c.startsWith(`${p}[`)) return true;
      }
      return false;
    };
    if (typeof value !== "object" || value === null) {
      return h("span", {
        class: `leaf${changed.has(path) ? " changed" : ""}`
      }, JSON.stringify(value));
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [
      `[${i}]`,
      v,
      `${path}[${i}]`
    ]) : Object.entries(value).map(([k, v]) => [
      k,
      v,
      path ? `${path}.${k}` : k
    ]);
    if (entries.length === 0) return h("span", {
      class: "leaf"
    }, Array.isArray(value) ? "[]" : "{}");
    const simple = entries.every(([, v]) => typeof v !== "object" || v === null);
    const preview = compactJson(value, 90);
    if (simple && preview.length < 90) {
      return h("span", {
        class: `leaf${isChanged(path) ? " changed" : ""}`
      }, preview);
    }
    return h("details", {
      open: depth < 1 || isChanged(path)
    }, h("summary", {
      class: isChanged(path) ? "changed" : ""
    }, Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`, " ", h("span", {
      class: "preview"
    }, compactJson(value, 70))), h("ul", {
      class: "tree"
    }, entries.map(([k, v, p]) => h("li", {}, h("span", {
      class: "key"
    }, `${k}: `), jsonTree(v, p, changed, depth + 1)))));
  }
  function renderDiff(entries, first) {
    if (first) return h("p", {
      class: "muted"
    }, "The initial state (nothing before it).");
    if (entries.length === 0) return h("p", {
      class: "muted"
    }, "No change.");
    return h("ul", {
      class: "diff",
      "aria-label": "Fields changed by this step"
    }, entries.map((e) => h("li", {}, h("code", {
      class: "path"
    }, e.path), ": ", h("span", {
      class: "before",
      title: compactJson(e.before, 2e3)
    }, compactJson(e.before)), " \u2192 ", h("span", {
      class: "after",
      title: compactJson(e.after, 2e3)
    }, compactJson(e.after)))));
  }
  function renderCounterexamples(doc) {
    const traces = listTraces(doc);
    if (traces.length === 0) return null;
    const cur = {
      trace: 0,
      step: 0
    };
    const hash = new URLSearchParams(location.hash.slice(1));
    const wanted = traces.findIndex((t) => t.id === hash.get("cx"));
    if (wanted >= 0) cur.trace = wanted;
    const picker = h("div", {
      class: "picker",
      role: "group",
      "aria-label": "Counterexamples"
    });
    const info = h("div", {
      class: "trace-info"
    });
    const lanesPane = h("div", {
      class: "lanes-pane"
    });
    const detail = h("div", {
      class: "detail-pane",
      "aria-live": "polite"
    });
    const position = h("span", {
      class: "position",
      id: "step-position"
    });
    const prev = h("button", {
      type: "button",
      id: "prev-step",
      "aria-label": "Previous step",
      title: "Previous step (\u2190)",
      onclick: () => select(cur.step - 1)
    }, "\u25C0 Previous");
    const next = h("button", {
      type: "button",
      id: "next-step",
      "aria-label": "Next step",
      title: "Next step (\u2192)",
      onclick: () => select(cur.step + 1)
    }, "Next \u25B6");
    let rowButtons = [];
    let rows = [];
    const pickerButtons = traces.map((t, i) => h("button", {
      type: "button",
      class: "pick",
      "aria-pressed": "false",
      onclick: () => openTrace(i)
    }, t.title));
    picker.append(...pickerButtons);
    function entry() {
      return traces[cur.trace];
    }
    function openTrace(i, step = 0) {
      cur.trace = i;
      const t = entry();
      pickerButtons.forEach((b, j) => b.setAttribute("aria-pressed", String(j === i)));
      const lanes = lanesOf(t.trace, t.locks);
      const repro = doc.reproduce?.[t.trace.token];
      fillWith(info, h("p", {
        class: "trace-desc"
      }, t.description), h("p", {
        class: "muted"
      }, t.spec ? `${t.spec} \xB7 ` : "", `${t.trace.steps.length - 1} steps`, t.trace.token ? [
        " \xB7 replay token ",
        h("code", {}, t.trace.token)
      ] : null), repro ? h("p", {}, "Reproduce: ", h("code", {
        class: "repro"
      }, repro)) : null);
      const head = h("tr", {}, h("th", {
        scope: "col",
        class: "idx"
      }, "#"), lanes.names.map((n) => {
        const l = lanes.locks[n];
        return h("th", {
          scope: "col"
        }, n, l ? h("div", {
          class: "lane-locks"
        }, `holds ${l.held.length ? l.held.join(", ") : "nothing"}`, l.waiting ? `; waits for ${l.waiting}` : "") : null);
      }));
      rowButtons = [];
      rows = t.trace.steps.map((s, si) => {
        const lane = lanes.ofStep[si];
        const button = h("button", {
          type: "button",
          class: "step",
          "data-step": si,
          onclick: () => select(si),
          title: s.label
        }, shortLabel(s, t.trace.steps[si - 1]));
        rowButtons.push(button);
        const cells = lane === null ? [
          h("td", {
            colspan: lanes.names.length,
            class: "init"
          }, button)
        ] : lanes.names.map((n) => h("td", {
          class: n === lane ? "act" : ""
        }, n === lane ? button : null));
        return h("tr", {
          "data-step": si
        }, h("th", {
          scope: "row",
          class: "idx"
        }, String(si)), cells);
      });
      fillWith(lanesPane, h("div", {
        class: "step-nav"
      }, prev, position, next), h("div", {
        class: "scroll lanes-scroll"
      }, h("table", {
        class: "lanes",
        id: "lanes"
      }, h("caption", {}, "Steps by process (swim lanes); select a step to see it."), h("thead", {}, head), h("tbody", {}, rows))));
      select(step, false);
    }
    function select(i, focus = true) {
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
      if (focus) rowButtons[si]?.focus({
        preventScroll: true
      });
      rows[si]?.scrollIntoView({
        block: "nearest"
      });
      history.replaceState(null, "", `#cx=${encodeURIComponent(t.id)}&step=${si}`);
      const step = steps[si];
      const before = steps[si - 1];
      const changes = before ? diffEntries(before.state, step.state) : [];
      const req = requestOf(step, before);
      const lane = lanesOf(t.trace, t.locks).ofStep[si];
      const paths = new Set(changes.map((c) => c.path));
      const drawing = isModelState(step.state) ? drawingNode(drawState(step.state, {
        touched: touched([
          ...paths
        ]),
        title: `Device model after step ${si}: ${step.label}`
      })) : h("div", {
        class: "plain-state"
      }, jsonTree(step.state, "", paths));
      fillWith(detail, h("h3", {
        id: "step-title"
      }, `Step ${si}: `, h("span", {
        class: "label"
      }, si === 0 ? "Init" : step.label)), h("div", {
        class: "req-grid"
      }, h("div", {
        class: "request"
      }, h("h4", {}, "Request"), h("p", {}, h("strong", {}, req.title), lane ? ` \xB7 lane ${lane}` : ""), req.notes.length ? h("ul", {
        class: "notes"
      }, req.notes.map((n) => h("li", {}, n))) : null, req.body !== void 0 ? h("pre", {
        class: "json",
        "aria-label": "Request (ynl JSON)"
      }, JSON.stringify(req.body, null, 2)) : null), h("div", {
        class: "changes"
      }, h("h4", {}, `Changes${before ? ` (${changes.length})` : ""}`), renderDiff(changes, !before))), h("h4", {}, isModelState(step.state) ? "Devices, queues and leases" : "State"), drawing, isModelState(step.state) ? [
        legend(),
        h("details", {
          class: "state-json"
        }, h("summary", {}, "Full state (JSON)"), jsonTree(step.state, "", paths))
      ] : null);
    }
    document.addEventListener("keydown", (e) => {
      const target = e.target;
      if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "ArrowRight" || e.key === "ArrowDown" && target?.classList.contains("step")) {
        select(cur.step + 1);
        e.preventDefault();
      } else if (e.key === "ArrowLeft" || e.key === "ArrowUp" && target?.classList.contains("step")) {
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
    return section("counterexamples", traces.length === 1 ? "Counterexample" : `Counterexamples (${traces.length})`, traces.length > 1 ? picker : null, info, h("p", {
      class: "muted keys"
    }, "Keys: \u2190 and \u2192 step through the trace."), h("div", {
      class: "cx"
    }, lanesPane, detail));
  }
  function drawingNode(svg) {
    const box = h("div", {
      class: "drawing",
      id: "drawing"
    });
    const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
    box.append(document.importNode(parsed.documentElement, true));
    return box;
  }
  function legend() {
    const item = (cls, text) => h("li", {}, h("span", {
      class: `key-swatch ${cls}`,
      "aria-hidden": "true"
    }), text);
    return h("ul", {
      class: "legend",
      "aria-label": "Legend"
    }, item("sw-lease", "lease (virtual \u2192 physical queue)"), item("sw-broken", "one-way or dangling lease"), item("sw-peer", "netkit pair"), item("sw-mp", "memory provider (U io_uring, D devmem)"), item("sw-pool", "AF_XDP pool"), item("sw-tracker", "lease tracker reference"), item("sw-spare", "allocated, not live"), item("sw-changed", "changed by this step"));
  }
  function main() {
    const root = document.getElementById("app");
    const data = document.getElementById("data");
    if (!root || !data) return;
    let doc;
    try {
      doc = JSON.parse(data.textContent ?? "");
    } catch (error) {
      root.replaceChildren(h("p", {
        class: "error"
      }, `Cannot read the report data: ${String(error)}`));
      return;
    }
    document.title = `${doc.tool.name} ${doc.kind}: ${statusWord(overallVerdict(doc).status)}${doc.spec ? ` \u2014 ${doc.spec.name}` : ""}`;
    const parts = [
      [
        "counterexamples",
        "Counterexamples",
        renderCounterexamples(doc)
      ],
      [
        "config",
        "Configuration",
        renderConfig(doc)
      ],
      [
        "stats",
        "State space",
        doc.results?.length ? renderStats(doc.results) : null
      ],
      [
        "coverage",
        "Fact coverage",
        doc.factCoverage?.length ? renderFacts(doc.factCoverage) : null
      ],
      [
        "kills",
        "Mutant kill table",
        doc.killTable?.length ? renderKills(doc.killTable) : null
      ],
      [
        "certification",
        "Certification",
        doc.certification ? renderCertification(doc.certification) : null
      ]
    ];
    const present = parts.filter(([, , el]) => el !== null);
    root.replaceChildren(renderHeader(doc), renderNav(present.map(([id, title]) => [
      id,
      title
    ])), h("main", {}, present.map(([, , el]) => el)));
  }
  main();
})();
