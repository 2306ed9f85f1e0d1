// upsample serve: the page. It keeps the example and the settings, sends them to the
// server (/api/explain), and draws the step records that upsample.explain returns.
// It computes no op: every number it shows comes from the server's answer.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const D = window.UpsampleDraw;      // the drawing shared with the notebooks (draw.js)
  const { shapeOf, at, drawArray, labelled } = D;
  const LIMITS = { input: 16, kernel: 8, channels: 8 };
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  let specs = Object.create(null);   // op name -> its description from /api/ops (no prototype:
                                    // ?op=constructor or __proto__ must not find anything)
  let frameworks = [];
  let state = null;         // {op, x, w, idx, params}
  let answer = null;        // the last valid /api/explain answer
  let position = 0;         // the shared step slider
  let timer = null;         // play
  let pending = null;       // debounce
  let sequence = 0;         // answers arrive in order of requests, the older ones are dropped
  let codeTab = "torch";
  let atEnd = true;
  let linkProblem = "";     // why the URL's example was not restored
  let answered = 0, refused = 0;   // counted on <body> so that tests can wait for an answer         // a fresh example opens on its last step: the whole result

  // ------------------------------------------------------------------ numbers and grids

  function parseGrid(text) {                 // "1 2; 3 4" -> [["1","2"],["3","4"]]
    return String(text).split(/[;\n]/).map((r) => r.trim()).filter((r) => r)
      .map((r) => r.split(/[\s,]+/).filter((c) => c !== ""));
  }

  function gridText(grid) {                  // the cells as parse_array's text, one cell a token
    return grid.map((row) => row.map((c) => {
      const t = String(c).trim();
      return t === "" ? "(empty)" : t.replace(/[\s;|,]+/g, "#");
    }).join(" ")).join("; ");
  }

  function filled(rows, cols, value, old) {
    const grid = [];
    for (let r = 0; r < rows; r++) {
      const row = [];
      for (let c = 0; c < cols; c++) {
        row.push(old && old[r] && old[r][c] !== undefined ? old[r][c] : value(r, c));
      }
      grid.push(row);
    }
    return grid;
  }

  const randomCell = () => String(Math.floor(Math.random() * 10) - 3);
  const clamp = (v, lo, hi, fallback) => {
    const n = parseInt(v, 10);
    return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : fallback;
  };

  // ------------------------------------------------------------------ state <-> URL

  function weightLayout(st) {
    // how many kernel slices, and channels per slice, for the op's full weight layout
    const spec = specs[st.op];
    const groups = Math.max(1, parseInt(st.params.groups, 10) || 1);
    const cIn = st.x.length;
    const cOut = st.wOut;
    if (spec.kernel === "conv") return { slices: cOut, per: Math.max(1, Math.floor(cIn / groups)) };
    return { slices: cIn, per: Math.max(1, Math.floor(cOut / groups)) };
  }

  function reshapeWeight(st, fill) {
    const spec = specs[st.op];
    if (!spec.kernel) return;
    const rows = st.w.length ? st.w[0][0].length : 2, cols = st.w.length ? st.w[0][0][0].length : 2;
    const { slices, per } = weightLayout(st);
    const w = [];
    for (let s = 0; s < slices; s++) {
      const slice = [];
      for (let c = 0; c < per; c++) {
        slice.push(filled(rows, cols, fill || (() => "1"), st.w[s] && st.w[s][c]));
      }
      w.push(slice);
    }
    st.w = w;
  }

  function fromPreset(op) {
    const spec = specs[op];
    const preset = spec.preset;
    const st = { op, x: preset.x.map(parseGrid), w: [], idx: [], params: {}, wOut: 1 };
    spec.params.forEach((p) => { st.params[p.name] = p.default; });
    if (spec.kernel) {
      st.w = preset.weight.map((t) => t.split("|").map(parseGrid));
      st.wOut = spec.kernel === "conv" ? st.w.length : st.w[0].length;
    }
    if (spec.indices) st.idx = preset.indices.map(parseGrid);
    return st;
  }

  function toQuery(st) {
    const q = new URLSearchParams();
    q.set("op", st.op);
    q.set("x", st.x.map(gridText).join("|"));
    if (specs[st.op].kernel) q.set("w", st.w.map((s) => s.map(gridText).join("|")).join("/"));
    if (specs[st.op].indices) q.set("i", st.idx.map(gridText).join("|"));
    Object.entries(st.params).forEach(([k, v]) => q.set("p_" + k, String(v)));
    if (position) q.set("step", String(position));
    return q.toString();
  }

  function knownOp(op) {
    return typeof op === "string" && Object.prototype.hasOwnProperty.call(specs, op);
  }

  // A grid text from the URL ("1 2; 3 4", channels split by |, slices by /), checked for its
  // size before any cell is built: at most `channels` parts of at most side x side numbers.
  function fits(text, side, channels, sep) {
    if (text.length > channels * side * side * 32) return false;
    const parts = text.split(sep);
    if (parts.length > channels) return false;
    return parts.every((part) => {
      const rows = part.split(";");
      return rows.length <= side && rows.every((row) => row.trim().split(/[\s,]+/).length <= side);
    });
  }

  function fromQuery(search) {
    const q = new URLSearchParams(search);
    const op = q.get("op");
    if (op === null) return null;
    if (!knownOp(op)) {
      linkProblem = `the link asks for an op this page does not have (${op.slice(0, 40)}); ` +
        "showing conv_transpose";
      return null;
    }
    const big = [["x", LIMITS.input, LIMITS.channels], ["i", LIMITS.input, LIMITS.channels]]
      .filter(([key, side, channels]) => q.get(key) && !fits(q.get(key), side, channels, "|"))
      .map(([key]) => key);
    const w = q.get("w");
    if (w && (w.split("/").length > LIMITS.channels ||
              !w.split("/").every((slice) => fits(slice, LIMITS.kernel, LIMITS.channels, "|")))) big.push("w");
    if (big.length) {
      linkProblem = `the link's example is larger than the page allows (${LIMITS.input}x${LIMITS.input} ` +
        `inputs, ${LIMITS.kernel}x${LIMITS.kernel} kernels, ${LIMITS.channels} channels); showing ${op}'s own`;
      return fromPreset(op);
    }
    const st = fromPreset(op);
    if (q.get("x")) st.x = q.get("x").split("|").map(parseGrid);
    if (q.get("w") && specs[op].kernel) {
      st.w = q.get("w").split("/").map((s) => s.split("|").map(parseGrid));
      st.wOut = specs[op].kernel === "conv" ? st.w.length
        : st.w[0].length * Math.max(1, parseInt(q.get("p_groups") || "1", 10) || 1);
    }
    if (q.get("i") && specs[op].indices) st.idx = q.get("i").split("|").map(parseGrid);
    specs[op].params.forEach((p) => {
      const v = q.get("p_" + p.name);
      if (v !== null) st.params[p.name] = p.kind === "bool" ? v === "true" : v;
    });
    position = clamp(q.get("step"), 0, 1e6, 0);
    return st;
  }

  // ------------------------------------------------------------------ editors

  function cellInput(value, label, onChange) {
    const input = document.createElement("input");
    input.type = "text";
    input.inputMode = "decimal";
    input.className = "cell";
    input.value = value;
    input.setAttribute("aria-label", label);
    input.size = 3;
    const check = () => input.classList.toggle("bad", !NUMBER.test(input.value.trim()));
    check();
    input.addEventListener("input", () => { check(); onChange(input.value); });
    input.addEventListener("keydown", (e) => {      // arrows move between cells, Enter goes down
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
      if (!(e.key in moves)) return;
      const td = input.closest("td");
      const tr = td.parentElement;
      const col = Array.prototype.indexOf.call(tr.children, td);
      const target = moves[e.key][0] < 0 ? tr.previousElementSibling : tr.nextElementSibling;
      if (target && target.children[col]) { e.preventDefault(); target.children[col].firstChild.focus(); }
    });
    return input;
  }

  function editorGrid(grid, label, name) {
    return D.gridFigure(grid, "edit", (td, v, r, c) => {
      td.appendChild(cellInput(v, `${name} row ${r} col ${c}`, (value) => { grid[r][c] = value; schedule(); }));
    }, label);
  }

  function drawEditors() {
    const spec = specs[state.op];
    const xs = $("x-grids");
    xs.replaceChildren(...state.x.map((g, c) => editorGrid(g, state.x.length > 1 ? `channel ${c}` : "", `input channel ${c}`)));
    $("x-channels").value = state.x.length;
    $("x-rows").value = state.x[0].length;
    $("x-cols").value = state.x[0][0].length;
    $("x-shape").textContent = `${state.x.length}\u00d7${state.x[0].length}\u00d7${state.x[0][0].length} (C\u00d7H\u00d7W)`;
    $("w-editor").hidden = !spec.kernel;
    if (spec.kernel) {
      const ws = $("w-grids");
      const figures = [];
      state.w.forEach((slice, s) => slice.forEach((g, c) => {
        const name = spec.kernel === "conv" ? `w[${s}, ${c}]` : `w[${s}, ${c}]`;
        const many = state.w.length > 1 || slice.length > 1;
        figures.push(editorGrid(g, many ? name : "", `kernel ${name}`));
      }));
      ws.replaceChildren(...figures);
      $("w-channels").value = state.wOut;
      $("w-rows").value = state.w[0][0].length;
      $("w-cols").value = state.w[0][0][0].length;
      const layout = spec.kernel === "conv" ? "C_out \u00d7 C_in/groups \u00d7 kH \u00d7 kW"
        : "C_in \u00d7 C_out/groups \u00d7 kH \u00d7 kW";
      $("w-shape").textContent = `${state.w.length}\u00d7${state.w[0].length}\u00d7${state.w[0][0].length}\u00d7${state.w[0][0][0].length} (${layout})`;
    }
    $("i-editor").hidden = !spec.indices;
    if (spec.indices) {
      $("i-grids").replaceChildren(...state.idx.map((g, c) => editorGrid(g, state.idx.length > 1 ? `channel ${c}` : "", `indices channel ${c}`)));
    }
  }

  function resizeInput() {
    const channels = clamp($("x-channels").value, 1, LIMITS.channels, state.x.length);
    const rows = clamp($("x-rows").value, 1, LIMITS.input, state.x[0].length);
    const cols = clamp($("x-cols").value, 1, LIMITS.input, state.x[0][0].length);
    const x = [];
    for (let c = 0; c < channels; c++) x.push(filled(rows, cols, () => "1", state.x[c]));
    state.x = x;
    if (specs[state.op].indices) {
      const idx = [];
      for (let c = 0; c < channels; c++) idx.push(filled(rows, cols, (r, cc) => String(r * 2 * cols * 2 + cc * 2), state.idx[c]));
      state.idx = idx;
    }
    reshapeWeight(state);
    drawEditors();
    schedule();
  }

  function resizeKernel() {
    state.wOut = clamp($("w-channels").value, 1, LIMITS.channels, state.wOut);
    const rows = clamp($("w-rows").value, 1, LIMITS.kernel, 2);
    const cols = clamp($("w-cols").value, 1, LIMITS.kernel, 2);
    state.w = state.w.map((slice) => slice.map((g) => filled(rows, cols, () => "1", g)));
    reshapeWeight(state);
    drawEditors();
    schedule();
  }

  function drawControls() {
    const spec = specs[state.op];
    const box = $("controls");
    box.replaceChildren();
    spec.params.forEach((p) => {
      const wrap = document.createElement("div");
      wrap.className = "control";
      const id = "param-" + p.name;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = p.name;
      let input;
      if (p.kind === "bool") {
        input = document.createElement("input");
        input.type = "checkbox";
        input.checked = state.params[p.name] === true || state.params[p.name] === "true";
        input.addEventListener("change", () => { state.params[p.name] = input.checked; schedule(); });
      } else if (p.kind === "choice") {
        input = document.createElement("select");
        p.choices.forEach((c) => input.add(new Option(c, c)));
        input.value = state.params[p.name];
        input.addEventListener("change", () => { state.params[p.name] = input.value; schedule(); });
      } else {
        input = document.createElement("input");
        input.type = "text";
        input.value = state.params[p.name];
        input.placeholder = p.default === "" ? "default" : p.default;
        input.addEventListener("input", () => {
          state.params[p.name] = input.value;
          if (p.name === "groups") { reshapeWeight(state); drawEditors(); }
          schedule();
        });
      }
      input.id = id;
      input.name = p.name;
      input.setAttribute("aria-describedby", `help-${p.name} error-${p.name}`);
      const help = document.createElement("span");
      help.className = "help";
      help.id = "help-" + p.name;
      help.textContent = p.help;
      const error = document.createElement("span");
      error.className = "error";
      error.id = "error-" + p.name;
      error.setAttribute("role", "alert");
      wrap.append(label, input, help, error);
      box.appendChild(wrap);
    });
  }

  // ------------------------------------------------------------------ talking to the server

  function request() {
    const spec = specs[state.op];
    const body = { op: state.op, x: state.x.map(gridText), params: {} };
    spec.params.forEach((p) => { body.params[p.name] = state.params[p.name]; });
    if (spec.kernel) body.weight = state.w.map((s) => s.map(gridText).join(" | "));
    if (spec.indices) body.indices = state.idx.map(gridText);
    return body;
  }

  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(update, 180);
  }

  function clearErrors() {
    document.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    $("error-general").textContent = linkProblem;     // until another op is chosen
  }

  function showError(message, field) {
    const slot = $("error-" + field) || $("error-general");
    slot.textContent = message;
    const control = $("param-" + field);
    if (control) control.setAttribute("aria-invalid", "true");
    $("stale").hidden = !answer;
    document.body.dataset.state = "error";
    document.body.dataset.refused = String(++refused);
  }

  async function update() {
    const mine = ++sequence;
    document.body.dataset.state = "loading";
    history.replaceState(null, "", "?" + toQuery(state));
    let response, data;
    try {
      response = await fetch("/api/explain", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request()),
      });
      data = await response.json();
    } catch (e) {
      if (mine !== sequence) return;
      clearErrors();
      showError("the server did not answer (" + e.message + ")", "general");
      return;
    }
    if (mine !== sequence) return;
    clearErrors();
    if (!response.ok) { showError(data.error, data.field || "general"); return; }
    answer = data;
    $("stale").hidden = true;
    const total = steps();
    if (atEnd || position > total) position = total;
    drawAnswer();
    document.body.dataset.state = "ready";
    document.body.dataset.answered = String(++answered);
  }

  // ------------------------------------------------------------------ drawing the answer

  function viewNames() { return Object.keys(answer.explanations); }

  function steps() {
    if (!answer) return 0;
    return Math.max(...viewNames().map((v) => answer.explanations[v].steps.length));
  }

  let drawn = [];           // per view: {ex, input, kernel, output, caption, equation}

  function drawAnswer() {
    const views = $("views");
    views.replaceChildren();
    views.classList.toggle("three", viewNames().length > 1);
    drawn = viewNames().map((name) => {
      const d = D.viewPanel(name, answer.explanations[name]);
      views.appendChild(d.panel);
      return d;
    });
    Object.entries(answer.view_errors || {}).forEach(([name, message]) => {
      views.appendChild(D.declinedPanel(name, message));      // a view the library declined
    });
    const first = answer.explanations[viewNames()[0]];
    const final = drawArray(answer.output, first.spatial_dims === 1 ? 1 : 2, { label: "" });
    const outs = [labelled("output " + shapeOf(answer.output).join("\u00d7"), final.box)];
    if (first.extras && first.extras.indices && answer.op === "max_pool") {
      outs.push(labelled("indices", drawArray(first.extras.indices, 2, { label: "" }).box));
    }
    $("output").replaceChildren(...outs);
    const formula = $("formula");
    formula.replaceChildren(...answer.formula.map((line, i) => {
      const p = document.createElement("p");
      p.textContent = line;
      if (i === 0) p.className = "rule";
      return p;
    }));
    const slider = $("step");
    slider.max = String(steps());
    slider.value = String(position);
    drawStep();
    drawOverlap();
    drawCode();
  }

  function drawStep() {
    const total = steps();
    position = Math.max(0, Math.min(position, total));
    $("step").value = String(position);
    const parts = drawn.map((d) => D.drawViewStep(d, position, total));
    $("step-label").textContent = `step ${position} of ${total}` + (drawn.length > 1 ? ` (${parts.join(", ")})` : "");
    $("step").setAttribute("aria-valuetext", $("step-label").textContent);
  }

  function drawOverlap() {
    const box = $("overlap-box");
    box.hidden = !answer.overlap;
    if (!answer.overlap) return;
    const ov = answer.overlap;
    const heat = (array) => {
      const flat = array.flat();
      const hi = Math.max(...flat), lo = Math.min(...flat);
      const grid = drawArray(array, 2, { label: "" });
      grid.cells.forEach((td, key) => {
        const v = at(array, key.split(",").map(Number));
        const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
        td.style.setProperty("--heat", String(t));
        td.classList.add("heat");
      });
      return grid.box;
    };
    const verdict = document.createElement("p");
    verdict.className = ov.even ? "even" : "uneven";
    verdict.textContent = ov.even ? "even overlap: every output gets the same number of taps"
      : "uneven overlap: a checkerboard (kernel size not a multiple of the stride)";
    $("overlap").replaceChildren(labelled("one period", heat(ov.period)),
      labelled("the whole output", heat(ov.full)), verdict);
  }

  function drawCode() {
    const tabs = $("code-tabs");
    const names = { upsample: "upsample", torch: "PyTorch", tensorflow: "TensorFlow", jax: "JAX" };
    tabs.replaceChildren(...frameworks.map((f) => {
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "tab");
      b.id = "tab-" + f;
      b.textContent = names[f] || f;
      b.setAttribute("aria-selected", String(f === codeTab));
      b.addEventListener("click", () => { codeTab = f; drawCode(); });
      b.addEventListener("keydown", (e) => {
        const i = frameworks.indexOf(f);
        const j = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : null;
        if (j === null) return;
        codeTab = frameworks[(j + frameworks.length) % frameworks.length];
        drawCode();
        $("tab-" + codeTab).focus();
      });
      return b;
    }));
    const snippet = answer.code[codeTab];
    $("code-text").textContent = snippet.code || "# no call in this framework gives these numbers";
    $("code-note").textContent = snippet.note;
  }

  // ------------------------------------------------------------------ wiring

  function setOp(op, st) {
    stop();
    state = st || fromPreset(op);
    $("op").value = state.op;
    $("blurb").textContent = specs[state.op].blurb;
    drawControls();
    drawEditors();
    answer = null;
    $("views").replaceChildren();
    update();
  }

  function randomize() {
    const spec = specs[state.op];
    state.x = state.x.map((g) => g.map((row) => row.map(randomCell)));
    state.w = state.w.map((s) => s.map((g) => g.map((row) => row.map(randomCell))));
    if (spec.indices) {
      const k = Math.max(1, parseInt(state.params.kernel_size, 10) || 2);
      const cols = state.x[0][0].length * k;
      state.idx = state.x.map((g) => g.map((row, r) => row.map((_, c) =>
        String((r * k + Math.floor(Math.random() * k)) * cols + c * k + Math.floor(Math.random() * k)))));
    }
    drawEditors();
    schedule();
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    $("play").textContent = "\u25B6 play";
    $("play").setAttribute("aria-label", "play");
  }

  function play() {
    if (timer) { stop(); return; }
    if (position >= steps()) position = 0;
    $("play").textContent = "\u23F8 pause";
    $("play").setAttribute("aria-label", "pause");
    atEnd = false;
    timer = setInterval(() => {
      if (!answer || position >= steps()) { stop(); return; }
      position += 1;
      atEnd = position === steps();
      drawStep();
    }, 650);
  }

  function go(to) {
    stop();
    position = Math.max(0, Math.min(to, steps()));
    atEnd = position === steps();
    if (answer) drawStep();
    history.replaceState(null, "", "?" + toQuery(state));
  }

  async function solve(event) {
    event.preventDefault();
    $("error-solve").textContent = "";
    const body = { in_size: $("solve-in").value, out_size: $("solve-out").value,
      kernel_size: $("solve-k").value, stride: $("solve-s").value };
    const response = await fetch("/api/solve", { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json();
    if (!response.ok) { $("error-solve").textContent = data.error; return; }
    const box = $("solutions");
    if (!data.settings.length) { box.textContent = `nothing maps ${data.in_size} to ${data.out_size} within the search bounds`; return; }
    const table = document.createElement("table");
    table.className = "solutions";
    const head = table.createTHead().insertRow();
    ["kernel", "stride", "padding", "output_padding", "dilation", ""].forEach((h) => {
      const th = document.createElement("th"); th.textContent = h; head.appendChild(th);
    });
    const body_ = table.createTBody();
    data.settings.forEach((s) => {
      const tr = body_.insertRow();
      [s.kernel_size, s.stride, s.padding, s.output_padding, s.dilation].forEach((v) => { tr.insertCell().textContent = v; });
      const use = document.createElement("button");
      use.type = "button";
      use.textContent = "use";
      use.setAttribute("aria-label", `use kernel ${s.kernel_size} stride ${s.stride} padding ${s.padding}`);
      use.addEventListener("click", () => applySolution(data.in_size, s));
      tr.insertCell().appendChild(use);
    });
    const caption = document.createElement("p");
    caption.className = "hint";
    caption.textContent = `${data.settings.length} settings map ${data.in_size} to ${data.out_size}, ` +
      "the most natural first" + (data.more ? " (there are more: fix the kernel or stride to see others)" : "");
    box.replaceChildren(caption, table);
  }

  function applySolution(inSize, s) {
    const st = state.op === "conv_transpose" ? state : fromPreset("conv_transpose");
    st.params.stride = String(s.stride);
    st.params.padding = String(s.padding);
    st.params.output_padding = String(s.output_padding);
    st.params.dilation = String(s.dilation);
    if (inSize <= LIMITS.input) st.x = st.x.map((g) => filled(inSize, inSize, () => "1", g));
    if (s.kernel_size <= LIMITS.kernel) st.w = st.w.map((sl) => sl.map((g) => filled(s.kernel_size, s.kernel_size, () => "1", g)));
    setOp("conv_transpose", st);
  }

  function copy(text, status) {
    const done = (msg) => { $(status).textContent = msg; setTimeout(() => { $(status).textContent = ""; }, 2500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(() => done("copied"), () => done("select and copy: " + text));
    else done(text);
  }

  async function start() {
    const response = await fetch("/api/ops");
    const data = await response.json();
    data.ops.forEach((o) => { specs[o.name] = o; $("op").add(new Option(`${o.name}: ${o.title}`, o.name)); });
    frameworks = data.frameworks;
    LIMITS.input = data.limits.input_size;
    LIMITS.kernel = data.limits.kernel_size;
    LIMITS.channels = data.limits.channels;
    $("op").addEventListener("change", () => { atEnd = true; linkProblem = ""; setOp($("op").value); });
    $("preset-article").addEventListener("click", () => { atEnd = true; setOp(state.op); });
    $("preset-random").addEventListener("click", randomize);
    $("share").addEventListener("click", () => copy(location.href, "share-status"));
    ["x-channels", "x-rows", "x-cols"].forEach((id) => $(id).addEventListener("change", resizeInput));
    ["w-channels", "w-rows", "w-cols"].forEach((id) => $(id).addEventListener("change", resizeKernel));
    $("step").addEventListener("input", () => go(parseInt($("step").value, 10)));
    $("first").addEventListener("click", () => go(0));
    $("prev").addEventListener("click", () => go(position - 1));
    $("next").addEventListener("click", () => go(position + 1));
    $("last").addEventListener("click", () => go(steps()));
    $("play").addEventListener("click", play);
    $("solver").addEventListener("submit", solve);
    $("copy-code").addEventListener("click", () => copy($("code-text").textContent, "copy-status"));
    const restored = fromQuery(location.search);
    atEnd = !restored || !new URLSearchParams(location.search).has("step");
    setOp(restored ? restored.op : "conv_transpose", restored);
    if (linkProblem) $("error-general").textContent = linkProblem;
  }

  start();
})();
