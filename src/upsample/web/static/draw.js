// upsample's drawing of explanation records: the grids, the cells each step reads, weights
// and writes, and the running output. Shared by the page of `upsample serve` (app.js) and by
// the HTML an Explanation shows in Jupyter (upsample/explain/html.py embeds this file). It
// draws the JSON of Explanation.to_dict() and computes no op.
"use strict";

(function (root) {
  function fmt(v) {
    if (typeof v === "string") return v === "inf" ? "\u221e" : v === "-inf" ? "-\u221e" : v;
    if (typeof v === "boolean") return v ? "1" : "0";
    if (Number.isInteger(v)) return String(v);
    return String(parseFloat(v.toPrecision(6)));
  }

  function shapeOf(a) { const s = []; while (Array.isArray(a)) { s.push(a.length); a = a[0]; } return s; }

  function at(a, index) { return index.reduce((v, i) => v[i], a); }

  // A 2-D array as a table of class `className` in a figure: fill(td, value, r, c) fills each
  // cell; a figcaption when `caption` is not null. The page's editors build theirs with it too.
  function gridFigure(rows, className, fill, caption) {
    const figure = document.createElement("figure");
    const table = document.createElement("table");
    table.className = className;
    rows.forEach((row, r) => {
      const tr = table.insertRow();
      row.forEach((v, c) => fill(tr.insertCell(), v, r, c));
    });
    figure.appendChild(table);
    if (caption !== null) {
      const figcaption = document.createElement("figcaption");
      figcaption.textContent = caption;
      figure.appendChild(figcaption);
    }
    return figure;
  }

  // An array drawn as grids: the last two axes are a grid, the leading ones one grid each.
  function drawArray(array, dims, options) {
    const box = document.createElement("div");
    box.className = "array";
    const cells = new Map();
    const shape = shapeOf(array);
    const lead = shape.slice(0, shape.length - dims);
    const count = lead.reduce((a, b) => a * b, 1);
    for (let n = 0; n < count; n++) {
      const index = [];
      let rest = n;
      for (let a = lead.length - 1; a >= 0; a--) { index.unshift(rest % lead[a]); rest = Math.floor(rest / lead[a]); }
      const plane = at(array, index);
      const rows = dims === 1 ? [plane] : plane;
      const caption = count > 1 || options.label
        ? (options.label || "") + (count > 1 ? ` [${index.join(", ")}]` : "") : null;
      box.appendChild(gridFigure(rows, "grid", (td, v, r, c) => {
        td.textContent = fmt(v);
        const key = (dims === 1 ? [...index, c] : [...index, r, c]).join(",");
        if (options.mask && !at(options.mask, key.split(",").map(Number))) td.classList.add("pad");
        cells.set(key, td);
      }, caption));
    }
    return { box, cells };
  }

  const VIEW_TITLES = {
    scatter: "scatter: each input times the kernel",
    zero_insertion: "zero insertion: zeros between inputs, then a convolution with the flipped kernel",
    matrix: "matrix: C\u1d40 times the flattened input",
  };

  function kernelLabel(ex) {
    if (ex.view === "matrix") return "C\u1d40";
    if (ex.view === "zero_insertion") return "flipped kernel";
    return "kernel";
  }

  function labelled(text, box) {
    const wrap = document.createElement("div");
    wrap.className = "labelled";
    const h = document.createElement("h4");
    h.textContent = text;
    wrap.append(h, box);
    return wrap;
  }

  // The running output after k steps: the step's snapshot, or the sum of the writes so far.
  function runningOutput(ex, k) {
    if (k === 0) return null;
    const step = ex.steps[k - 1];
    if (ex.step_outputs !== false && step.output !== undefined) return step.output;
    const out = JSON.parse(JSON.stringify(ex.output));
    const zero = (a) => a.forEach((v, i) => { if (Array.isArray(v)) zero(v); else a[i] = 0; });
    zero(out);
    for (let s = 0; s < k; s++) {
      ex.steps[s].writes.forEach((w) => {
        const cell = w.cell, last = cell[cell.length - 1];
        const row = at(out, cell.slice(0, -1));
        row[last] = w.replaced === null ? row[last] + w.added : w.added;
      });
    }
    return out;
  }

  // One view's panel: title, step counter, caption, equation, input / kernel / running output.
  function viewPanel(name, ex) {
    const panel = document.createElement("article");
    panel.className = "view";
    panel.dataset.view = name;
    const title = document.createElement("h3");
    title.textContent = VIEW_TITLES[name] || ex.title;
    const counter = document.createElement("p");
    counter.className = "counter";
    const caption = document.createElement("p");
    caption.className = "caption";
    const equation = document.createElement("p");
    equation.className = "equation";
    const arrays = document.createElement("div");
    arrays.className = "arrays";
    const dims = ex.spatial_dims === 1 ? 1 : 2;
    const input = drawArray(ex.input, dims, { mask: ex.input_mask, label: "" });
    const parts = [labelled(ex.view === "zero_insertion" ? "input, zeros inserted" : "input", input.box)];
    let kernel = null;
    if (ex.kernel) {
      kernel = drawArray(ex.kernel, ex.kernel_dims === 1 ? 1 : 2, { label: "" });
      parts.push(labelled(kernelLabel(ex), kernel.box));
    }
    const output = drawArray(ex.output, dims, { label: "" });
    output.box.classList.add("running");
    parts.push(labelled("running output", output.box));
    arrays.append(...parts);
    const notes = document.createElement("details");
    notes.innerHTML = "<summary>notes</summary>";
    const pre = document.createElement("pre");
    pre.textContent = ex.notes.join("\n");
    notes.appendChild(pre);
    panel.append(title, counter, caption, equation, arrays, notes);
    return { panel, ex, input, kernel, output, counter, caption, equation };
  }

  // A view the library declined (e.g. too large for the matrix view): its message instead.
  function declinedPanel(name, message) {
    const panel = document.createElement("article");
    panel.className = "view declined";
    panel.dataset.view = name;
    const title = document.createElement("h3");
    title.textContent = VIEW_TITLES[name] || name;
    const why = document.createElement("p");
    why.className = "caption";
    why.textContent = message;
    panel.append(title, why);
    return panel;
  }

  // The number of positions of a shared slider: the longest view's steps.
  function totalSteps(explanations) {
    return Math.max(0, ...Object.values(explanations).map((ex) => ex.steps.length));
  }

  function mark(grid, cell, cls) {
    const td = grid.cells.get(cell.join(","));
    if (td) td.classList.add(cls);
  }

  // Show position (of total, the shared slider) in one drawn view; returns "view k/n".
  function drawViewStep(d, position, total) {
    const n = d.ex.steps.length;
    const k = total ? Math.round(position * n / total) : 0;
    d.counter.textContent = `step ${k} of ${n}`;
    [d.input, d.kernel, d.output].forEach((g) => g && g.cells.forEach((td) => td.classList.remove("read", "weight", "write")));
    const running = runningOutput(d.ex, k);
    const reached = new Set();                  // output cells some step so far has written
    for (let s = 0; s < k; s++) d.ex.steps[s].written.forEach((c) => reached.add(c.join(",")));
    d.output.cells.forEach((td, key) => {
      td.textContent = running ? fmt(at(running, key.split(",").map(Number))) : "";
      td.classList.toggle("empty", !running);
      td.classList.toggle("pending", !!running && !reached.has(key));
    });
    const label = `${d.ex.view ? d.ex.view.replace("_", " ") + " " : ""}${k}/${n}`;
    if (k === 0) {
      d.caption.textContent = "before the first step: the output is empty";
      d.equation.textContent = "";
      return label;
    }
    const step = d.ex.steps[k - 1];
    d.caption.textContent = step.caption;
    d.equation.textContent = step.equation;
    step.reads.forEach((c) => mark(d.input, c, "read"));
    if (d.kernel) step.weight_cells.forEach((c) => mark(d.kernel, c, "weight"));
    step.written.forEach((c) => mark(d.output, c, "write"));
    return label;
  }

  root.UpsampleDraw = { fmt, shapeOf, at, gridFigure, drawArray, VIEW_TITLES, kernelLabel, labelled,
    runningOutput, viewPanel, declinedPanel, totalSteps, drawViewStep };
})(typeof window !== "undefined" ? window : this);
