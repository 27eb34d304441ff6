// Nabla playground page: draws what the server computes. All math runs in C# with Nabla; this file only
// sends controls to the JSON API, listens to the state stream (server-sent events) and draws.
'use strict';

const $ = id => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const CLASS_COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0d9488', '#db2777', '#854d0e'];

let sessionId = null;
let chain = null;          // the last chain state drawn
let network = null;        // the last network state drawn
let points = null;         // the data points (sent only when they change)
let animating = false;     // the backward animation is running
let chainBusy = false, chainPending = null;
let netStructure = '';     // the architecture the network SVG was built for
let hover = null;          // what the pointer is over in the network SVG

function fmt(v, digits = 4) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}
function clearError() { $('error').hidden = true; }
$('error-close').addEventListener('click', clearError);

async function api(method, path, body, contentType = 'application/json') {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = contentType === 'application/json' ? JSON.stringify(body) : body;
    init.headers['Content-Type'] = contentType;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    showError('The playground server does not answer (' + e.message + '). Is `nabla playground` still running?');
    throw e;
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const message = data && data.error ? data.error : `${response.status} ${response.statusText}`;
    showError(message);
    throw new Error(message);
  }
  return data;
}

// ---------- tabs ----------
function showTab(name) {
  for (const t of ['chain', 'network']) {
    $(t + '-view').hidden = t !== name;
    $('tab-' + t).classList.toggle('active', t === name);
    $('tab-' + t).setAttribute('aria-selected', String(t === name));
  }
  if (name === 'network' && network) drawNetwork(network);
}
$('tab-chain').addEventListener('click', () => showTab('chain'));
$('tab-network').addEventListener('click', () => showTab('network'));

// ---------- chain-rule view ----------
function drawChain(c) {
  chain = c;
  const sel = $('expression');
  if (sel.options.length === 0)
    for (const [key, formula] of Object.entries(c.expressions)) sel.add(new Option(`${key}: ${formula}`, key));
  sel.value = c.expression;
  $('formula').textContent = c.formula;
  for (const [name, value] of [['w', c.w], ['x', c.x], ['y', c.y]]) {
    const slider = $(name + '-slider');
    if (document.activeElement !== slider || !slider.matches(':active')) slider.value = value;
    $(name + '-value').textContent = fmt(value, 3);
  }
  $('lr-slider').value = Math.log10(c.learningRate);
  $('lr-value').textContent = fmt(c.learningRate, 3);
  $('loss-value').textContent = fmt(c.loss);
  $('grad-value').textContent = fmt(c.gradW);
  $('next-w').textContent = fmt(c.nextW);
  $('loss-after').textContent = fmt(c.lossAfterStep);
  $('chain-steps').textContent = c.steps;
  drawGraph(c);
  drawLandscape(c);
  drawLine($('chain-loss'), [{ values: c.lossHistory, color: '#1f2933' }], 'step', 'L');
}

function drawGraph(c) {
  const svg = $('graph');
  svg.replaceChildren();
  const W = 128, H = 66, GX = 48, GY = 22, PAD = 10;
  const cols = Math.max(...c.nodes.map(n => n.column)) + 1;
  const rows = Math.max(...c.nodes.map(n => n.row)) + 1;
  const width = PAD * 2 + cols * W + (cols - 1) * GX, height = PAD * 2 + rows * H + (rows - 1) * GY;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const pos = c.nodes.map(n => ({ x: PAD + n.column * (W + GX), y: PAD + n.row * (H + GY) }));
  const defs = el('defs', svg);
  const marker = el('marker', defs, { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
  el('path', marker, { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#9aa5b1' });
  for (const n of c.nodes)
    for (const i of n.inputs) {
      const a = pos[i], b = pos[n.id];
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
      el('path', svg, { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`, class: 'edge', 'data-from': i, 'data-to': n.id, 'marker-end': 'url(#arrow)' });
    }
  const last = c.nodes.length - 1;
  for (const n of c.nodes) {
    const g = el('g', svg, { class: 'node' + (n.inputs.length === 0 ? ' leaf' : '') + (n.id === last ? ' loss' : ''), id: 'node-' + n.id, transform: `translate(${pos[n.id].x},${pos[n.id].y})` });
    el('rect', g, { width: W, height: H, rx: 8 });
    text(g, 10, 18, n.inputs.length === 0 ? n.name : n.label, n.inputs.length === 0 ? 'name' : 'label');
    text(g, 10, 38, 'value ' + fmt(n.value), 'value');
    text(g, 10, 56, 'grad ' + fmt(n.grad), 'grad');
  }
}

function el(tag, parent, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent.appendChild(e);
  return e;
}
function text(parent, x, y, content, cls) {
  const t = el('text', parent, { x, y, class: cls });
  t.textContent = content;
  return t;
}

function drawLandscape(c) {
  const canvas = $('landscape'), ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, L = 44, R = 10, T = 10, B = 28;
  ctx.clearRect(0, 0, w, h);
  const xs = c.landscapeW, ys = c.landscapeLoss.map(v => (isFinite(v) ? v : NaN));
  const finite = ys.filter(isFinite);
  let ymin = Math.min(...finite, c.loss), ymax = Math.max(...finite, c.loss);
  if (ymin > 0) ymin = 0;
  if (ymax - ymin < 1e-9) { ymax += 1; ymin -= 1; }
  const X = v => L + (v - xs[0]) / (xs[xs.length - 1] - xs[0]) * (w - L - R);
  const Y = v => T + (1 - (v - ymin) / (ymax - ymin)) * (h - T - B);
  axes(ctx, w, h, L, R, T, B, [xs[0], xs[xs.length - 1]], [ymin, ymax], 'w', 'L');
  ctx.save();
  ctx.beginPath(); ctx.rect(L, T, w - L - R, h - T - B); ctx.clip();
  ctx.strokeStyle = '#1f2933'; ctx.lineWidth = 2; ctx.beginPath();
  xs.forEach((x, i) => { if (isFinite(ys[i])) (i ? ctx.lineTo(X(x), Y(ys[i])) : ctx.moveTo(X(x), Y(ys[i]))); });
  ctx.stroke();
  // The tangent at w: L(w) + dL/dw · (v − w).
  const span = (xs[xs.length - 1] - xs[0]) * 0.18;
  ctx.strokeStyle = '#c2410c'; ctx.lineWidth = 2; ctx.setLineDash([5, 4]); ctx.beginPath();
  ctx.moveTo(X(c.w - span), Y(c.loss - c.gradW * span));
  ctx.lineTo(X(c.w + span), Y(c.loss + c.gradW * span));
  ctx.stroke(); ctx.setLineDash([]);
  ctx.fillStyle = '#c2410c'; ctx.beginPath(); ctx.arc(X(c.w), Y(c.loss), 5, 0, 2 * Math.PI); ctx.fill();
  ctx.strokeStyle = '#2563eb'; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(X(c.nextW), Y(c.lossAfterStep), 5, 0, 2 * Math.PI); ctx.stroke();
  ctx.restore();
  ctx.fillStyle = '#616e7c'; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right';
  ctx.fillText(`● w = ${fmt(c.w, 3)}  slope ${fmt(c.gradW, 3)}   ○ after step`, w - R, T + 10);
}

function axes(ctx, w, h, L, R, T, B, xr, yr, xl, yl) {
  ctx.strokeStyle = '#d9dee4'; ctx.lineWidth = 1;
  ctx.strokeRect(L + 0.5, T + 0.5, w - L - R, h - T - B);
  ctx.fillStyle = '#616e7c'; ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  ctx.fillText(fmt(yr[1], 3), L - 4, T + 4);
  ctx.fillText(fmt(yr[0], 3), L - 4, h - B - 4);
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  ctx.fillText(fmt(xr[0], 3), L + 10, h - B + 4);
  ctx.fillText(fmt(xr[1], 3), w - R - 12, h - B + 4);
  ctx.fillText(xl, (L + w - R) / 2, h - B + 4);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  ctx.fillText(yl, L - 4, (T + h - B) / 2);
}

function drawLine(canvas, series, xl, yl) {
  const ctx = canvas.getContext('2d'), w = canvas.width, h = canvas.height, L = 44, R = 10, T = 10, B = 28;
  ctx.clearRect(0, 0, w, h);
  const all = series.flatMap(s => s.values).filter(isFinite);
  const n = Math.max(2, ...series.map(s => s.values.length));
  const ymax = all.length ? Math.max(...all) * 1.05 || 1 : 1;
  axes(ctx, w, h, L, R, T, B, [0, n - 1], [0, ymax], xl, yl);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.beginPath();
    s.values.forEach((v, i) => {
      const x = L + i / (n - 1) * (w - L - R), y = T + (1 - (isFinite(v) ? v : ymax) / ymax) * (h - T - B);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
    if (s.values.length <= 30) {
      ctx.fillStyle = s.color;
      s.values.forEach((v, i) => {
        if (!isFinite(v)) return;
        ctx.beginPath();
        ctx.arc(L + i / (n - 1) * (w - L - R), T + (1 - v / ymax) * (h - T - B), 3, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  }
}

async function sendChain(change) {
  chainPending = { ...(chainPending || {}), ...change };
  if (chainBusy) return;
  chainBusy = true;
  try {
    while (chainPending) {
      const body = chainPending; chainPending = null;
      const s = await api('PUT', `/api/sessions/${sessionId}/chain`, body).catch(() => null);
      if (s) drawChain(s.chain);
    }
  } finally { chainBusy = false; }
}

for (const name of ['w', 'x', 'y'])
  $(name + '-slider').addEventListener('input', e => {
    $(name + '-value').textContent = fmt(Number(e.target.value), 3);
    sendChain({ [name]: Number(e.target.value) });
  });
$('lr-slider').addEventListener('input', e => {
  const lr = Number(Math.pow(10, Number(e.target.value)).toPrecision(3));
  $('lr-value').textContent = fmt(lr, 3);
  sendChain({ learningRate: lr });
});
$('expression').addEventListener('change', e => sendChain({ expression: e.target.value }));

// The lesson's worked examples, one button each; the sliders span the API's range of w, x and y.
function fillPresets(options) {
  const [min, max] = options.chainRange;
  for (const name of ['w', 'x', 'y']) Object.assign($(name + '-slider'), { min, max });
  const box = $('presets');
  options.chainPresets.forEach((p, i) => {
    const button = document.createElement('button');
    button.id = 'preset-' + i;
    button.textContent = p.name;
    button.title = p.description;
    button.addEventListener('click', () => sendChain({ expression: p.expression, w: p.w, x: p.x, y: p.y }));
    box.appendChild(button);
  });
}

const pause = ms => new Promise(resolve => setTimeout(resolve, ms));

// Step: light up the backward pass node by node (loss first, leaves last), then apply the update.
$('chain-step').addEventListener('click', async () => {
  if (animating || !chain) return;
  animating = true;
  $('chain-step').disabled = true;
  try {
    const trace = [];
    for (const id of chain.backwardOrder) {
      const node = $('node-' + id);
      if (node) node.classList.add('active');
      for (const edge of document.querySelectorAll(`#graph .edge[data-to="${id}"]`)) edge.classList.add('active');
      trace.push(id);
      document.body.dataset.backward = trace.join(',');
      await pause(160);
    }
    await pause(200);
    const s = await api('POST', `/api/sessions/${sessionId}/chain/step`).catch(() => null);
    if (s) drawChain(s.chain);
  } finally {
    animating = false;
    $('chain-step').disabled = false;
  }
});
$('chain-reset').addEventListener('click', async () => {
  const s = await api('POST', `/api/sessions/${sessionId}/chain/reset`).catch(() => null);
  if (s) drawChain(s.chain);
});

// ---------- network view ----------
const configFields = {
  dataset: ['dataset', String], points: ['points', Number], noise: ['noise', Number], 'train-fraction': ['trainFraction', Number],
  activation: ['activation', String], init: ['init', String], regularization: ['regularization', String],
  'regularization-rate': ['regularizationRate', Number], loss: ['loss', String], optimizer: ['optimizer', String],
  'net-lr': ['learningRate', Number], 'batch-size': ['batchSize', Number],
};

async function configure(patch) {
  const s = await api('PUT', `/api/sessions/${sessionId}/network`, patch).catch(() => null);
  if (s) { clearError(); applyState(s); } else if (network) fillConfig(network.config);
}

for (const [id, [field, parse]] of Object.entries(configFields))
  $(id).addEventListener('change', e => {
    const raw = e.target.value.trim();
    const value = parse === Number ? (raw === '' ? NaN : Number(raw)) : raw;
    if (parse === Number && !isFinite(value)) { showError(`${field} must be a number, got '${raw}'`); fillConfig(network.config); return; }
    configure({ [field]: value });
  });
$('hidden').addEventListener('change', e => {
  const raw = e.target.value.trim();
  const parts = raw === '' ? [] : raw.split(/[\s,]+/);
  if (parts.some(p => !/^-?\d+$/.test(p))) { showError(`hidden layers must be whole numbers separated by commas, e.g. 4, 4; got '${raw}'`); fillConfig(network.config); return; }
  configure({ hiddenLayers: parts.map(Number) });
});
$('csv-file').addEventListener('change', async e => {
  const file = e.target.files[0];
  if (!file) return;
  const content = await file.arrayBuffer();
  const s = await api('POST', `/api/sessions/${sessionId}/network/upload`, content, 'text/csv').catch(err => {
    showError(`Upload of ${file.name} refused: ${err.message}`);
    return null;
  });
  e.target.value = '';
  if (s) { clearError(); applyState(s); }
});
for (const [id, action] of [['reset', 'reset'], ['step', 'step']])
  $(id).addEventListener('click', async () => {
    const s = await api('POST', `/api/sessions/${sessionId}/network/${action}`).catch(() => null);
    if (s) applyState(s);
  });
$('play').addEventListener('click', async () => {
  const action = network && network.playing ? 'pause' : 'play';
  const s = await api('POST', `/api/sessions/${sessionId}/network/${action}`).catch(() => null);
  if (s) applyState(s);
});

function fillSelect(id, values) {
  const sel = $(id);
  if (sel.options.length) return;
  for (const v of values) sel.add(new Option(v, v));
}

function fillConfig(c) {
  for (const [id, [field]] of Object.entries(configFields))
    if (document.activeElement !== $(id)) $(id).value = c[field];
  if (document.activeElement !== $('hidden')) $('hidden').value = c.hiddenLayers.join(', ');
}

function drawNetwork(n) {
  network = n;
  if (n.points) points = n.points;
  fillConfig(n.config);
  $('play').textContent = n.playing ? 'Pause' : 'Play';
  $('epoch').textContent = n.epoch;
  $('train-loss').textContent = fmt(n.trainLoss);
  $('test-loss').textContent = fmt(n.testLoss);
  $('test-accuracy').textContent = (n.testAccuracy * 100).toFixed(1) + '%';
  $('message').hidden = !n.message;
  $('message').textContent = n.message || '';
  if ($('network-view').hidden) return;
  drawSurface(n);
  drawLine($('loss-chart'), [{ values: n.trainHistory, color: '#1f2933' }, { values: n.testHistory, color: '#ea580c' }], 'epoch', 'loss');
  drawNet(n);
  drawBars(n);
}

function drawSurface(n) {
  const canvas = $('surface'), ctx = canvas.getContext('2d'), size = canvas.width;
  const s = n.surface, r = s.resolution, k = n.classes;
  const confidence = Uint8Array.from(atob(s.confidence), ch => ch.charCodeAt(0));
  const img = ctx.createImageData(r, r);
  for (let i = 0; i < r * r; i++) {
    const rgb = hex(CLASS_COLORS[s.classes[i] % CLASS_COLORS.length]);
    const t = Math.max(0, (confidence[i] / 100 - 1 / k) / (1 - 1 / k)) * 0.75;
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Math.round(255 + (rgb[c] - 255) * t);
    img.data[4 * i + 3] = 255;
  }
  const off = document.createElement('canvas');
  off.width = r; off.height = r;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, size, size);
  if (!points) return;
  const [x0, x1, y0, y1] = s.extent;
  const X = v => (v - x0) / (x1 - x0) * size, Y = v => (1 - (v - y0) / (y1 - y0)) * size;
  for (const [set, filled] of [[points.train, true], [points.test, false]])
    for (const [px, py, c] of set) {
      ctx.beginPath(); ctx.arc(X(px), Y(py), 3.5, 0, 2 * Math.PI);
      const color = CLASS_COLORS[c % CLASS_COLORS.length];
      if (filled) { ctx.fillStyle = color; ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 1; ctx.stroke(); }
      else { ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.stroke(); }
    }
  ctx.fillStyle = 'rgba(31,41,51,.75)'; ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left'; ctx.textBaseline = 'bottom';
  ctx.fillText(`x1 ${fmt(x0, 2)} … ${fmt(x1, 2)}`, 4, size - 3);
  ctx.textAlign = 'right'; ctx.textBaseline = 'top';
  ctx.fillText(`x2 ${fmt(y0, 2)} … ${fmt(y1, 2)}`, size - 4, 3);
}

function hex(color) {
  const v = parseInt(color.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function netLayout(n, width, height) {
  const sizes = [2, ...n.layers.map(l => l.outputs)];
  const xs = sizes.map((_, i) => 48 + i * (width - 120) / (sizes.length - 1));
  return sizes.map((count, i) => Array.from({ length: count }, (_, j) => ({
    x: xs[i], y: height / 2 + (j - (count - 1) / 2) * Math.min(36, (height - 30) / Math.max(1, count - 1)),
  })));
}

function drawNet(n) {
  const svg = $('net');
  const width = Math.max(300, svg.clientWidth || 500), height = 300;
  const structure = `${width}|${n.layers.map(l => l.inputs + 'x' + l.outputs).join(',')}`;
  const layout = netLayout(n, width, height);
  if (structure !== netStructure) {
    netStructure = structure;
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const wires = el('g', svg), hits = el('g', svg), nodes = el('g', svg);
    n.layers.forEach((layer, l) => {
      for (let j = 0; j < layer.outputs; j++)
        for (let i = 0; i < layer.inputs; i++) {
          const a = layout[l][i], b = layout[l + 1][j];
          el('line', wires, { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'wire', id: `wire-${l}-${j}-${i}` });
          const hit = el('line', hits, { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'hit' });
          hit.addEventListener('mousemove', e => showHover({ kind: 'edge', l, j, i }, e));
          hit.addEventListener('mouseleave', hideHover);
        }
    });
    layout.forEach((column, l) => column.forEach((p, j) => {
      const c = el('circle', nodes, { cx: p.x, cy: p.y, r: 11, class: 'neuron' + (l === 0 ? ' input' : ''), id: `neuron-${l}-${j}` });
      c.addEventListener('mousemove', e => showHover({ kind: 'neuron', l, j }, e));
      c.addEventListener('mouseleave', hideHover);
      if (l === 0 || l === layout.length - 1) text(nodes, p.x + (l === 0 ? -34 : 16), p.y + 4, l === 0 ? `x${j + 1}` : `class ${j}`, 'label');
    }));
  }
  let maxW = 1e-6;
  for (const layer of n.layers) for (const row of layer.weights) for (const v of row) maxW = Math.max(maxW, Math.abs(v));
  n.layers.forEach((layer, l) => layer.weights.forEach((row, j) => row.forEach((v, i) => {
    const wire = document.getElementById(`wire-${l}-${j}-${i}`);
    if (!wire) return;
    wire.setAttribute('stroke', v >= 0 ? '#2563eb' : '#ea580c');
    wire.setAttribute('stroke-width', (0.5 + 5 * Math.abs(v) / maxW).toFixed(2));
    wire.setAttribute('stroke-opacity', (0.25 + 0.75 * Math.abs(v) / maxW).toFixed(2));
  })));
  // A neuron's fill follows its bias (blue positive, orange negative).
  n.layers.forEach((layer, l) => layer.biases.forEach((b, j) => {
    const c = document.getElementById(`neuron-${l + 1}-${j}`);
    if (!c) return;
    const t = Math.min(1, Math.abs(b) / Math.max(maxW, 1e-6)) * 0.6, rgb = hex(b >= 0 ? '#2563eb' : '#ea580c');
    c.style.fill = `rgb(${rgb.map(v => Math.round(255 + (v - 255) * t)).join(',')})`;
  }));
  if (hover) updateTooltip();
}

function showHover(target, e) {
  hover = { ...target, x: e.clientX, y: e.clientY };
  document.querySelectorAll('.neuron.hover').forEach(c => c.classList.remove('hover'));
  if (target.kind === 'neuron') $(`neuron-${target.l}-${target.j}`)?.classList.add('hover');
  updateTooltip();
}
function hideHover() {
  hover = null;
  $('tooltip').hidden = true;
  document.querySelectorAll('.neuron.hover').forEach(c => c.classList.remove('hover'));
}
function updateTooltip() {
  const tip = $('tooltip');
  if (!hover || !network) return;
  let html;
  if (hover.kind === 'edge') {
    const layer = network.layers[hover.l];
    if (!layer || !layer.weights[hover.j]) return hideHover();
    html = `weight layer ${hover.l + 1}, ${hover.i + 1} → ${hover.j + 1}<br>value ${fmt(layer.weights[hover.j][hover.i])}<br>gradient ${fmt(layer.weightGrads[hover.j][hover.i])}`;
  } else if (hover.l === 0) {
    html = `input x${hover.j + 1}`;
  } else {
    const layer = network.layers[hover.l - 1];
    if (!layer || hover.j >= layer.outputs) return hideHover();
    const what = hover.l === network.layers.length ? `output (class ${hover.j})` : `neuron ${hover.j + 1} of hidden layer ${hover.l}`;
    html = `${what}<br>bias ${fmt(layer.biases[hover.j])}<br>gradient ${fmt(layer.biasGrads[hover.j])}`;
  }
  tip.innerHTML = html;
  tip.hidden = false;
  tip.style.left = (hover.x + 14) + 'px';
  tip.style.top = (hover.y + 14) + 'px';
}

function drawBars(n) {
  const box = $('grad-bars');
  if (box.children.length !== n.layers.length * 3) {
    box.replaceChildren();
    n.layers.forEach((layer, l) => {
      const name = document.createElement('span');
      name.textContent = `layer ${l + 1} (${layer.inputs}→${layer.outputs})`;
      const bar = document.createElement('div'); bar.className = 'bar'; bar.appendChild(document.createElement('div'));
      const num = document.createElement('span'); num.className = 'num';
      box.append(name, bar, num);
    });
  }
  // Log scale from 1e-6 to 1e1, so that vanishing gradients stay visible as short bars.
  n.layers.forEach((layer, l) => {
    const v = layer.gradientNorm;
    const share = v > 0 ? Math.min(1, Math.max(0, (Math.log10(v) + 6) / 7)) : 0;
    box.children[3 * l + 1].firstChild.style.width = (share * 100).toFixed(1) + '%';
    box.children[3 * l + 2].textContent = fmt(v, 3);
  });
}

function applyState(s) {
  drawNetwork(s.network);
  if (!animating && !chainBusy) {
    const c = s.chain;
    const key = [c.expression, c.w, c.x, c.y, c.learningRate, c.steps].join('|');
    const old = chain && [chain.expression, chain.w, chain.x, chain.y, chain.learningRate, chain.steps].join('|');
    if (key !== old) drawChain(c);
  }
}

function listen() {
  const source = new EventSource(`/api/sessions/${sessionId}/stream`);
  let count = 0, since = performance.now();
  source.addEventListener('state', e => {
    applyState(JSON.parse(e.data));
    count++;
    const now = performance.now();
    if (now - since > 1000) {
      $('status').textContent = `session ${sessionId} · ${Math.round(count * 1000 / (now - since))} updates/s`;
      count = 0; since = now;
    }
  });
  source.addEventListener('closed', () => {
    source.close();
    showError('This session was deleted on the server; reload the page to start a new one.');
  });
  source.onerror = () => { $('status').textContent = 'stream interrupted, reconnecting…'; };
}

async function start() {
  const options = await api('GET', '/api/options').catch(() => null);
  if (!options) return;
  fillSelect('dataset', options.datasets.filter(d => d !== 'csv').concat(['csv']));
  fillSelect('activation', options.activations);
  fillSelect('init', options.inits);
  fillSelect('regularization', options.regularizations);
  fillSelect('loss', options.losses);
  fillSelect('optimizer', options.optimizers);
  fillPresets(options);
  const s = await api('POST', '/api/sessions', {}).catch(() => null);
  if (!s) return;
  sessionId = s.id;
  document.body.dataset.session = sessionId;
  for (const f of ['safetensors', 'json', 'csharp'])
    $('export-' + f).href = `/api/sessions/${sessionId}/network/export/${f}`;
  drawChain(s.chain);
  drawNetwork(s.network);
  $('status').textContent = `session ${sessionId}`;
  listen();
  document.body.dataset.ready = 'true';
}

window.addEventListener('resize', () => { netStructure = ''; if (network) drawNetwork(network); });
start();
