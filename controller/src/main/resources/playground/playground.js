// The playground talks only to the OpenAI-compatible API: one streamed /v1/completions call per run, with
// maskkv_events so that each chunk may carry a gRPC event (started, eviction, step, summary) in proto JSON.
const $ = id => document.getElementById(id);
const COLUMNS = 64; // heatmap columns: prompt positions are bucketed so that a long prompt still fits
let controller = null;

$('example').onclick = async () => {
  $('prompt').value = (await (await fetch('needle.txt')).text()).trim();
  $('gen').value = 2; $('block').value = 2; $('steps').value = 2; $('budget').value = 8;
};

$('stop').onclick = () => controller && controller.abort(); // closing the stream cancels the session

$('form').onsubmit = async ev => {
  ev.preventDefault();
  reset();
  const body = {
    prompt: $('prompt').value, stream: true, maskkv_events: true, temperature: 0,
    max_tokens: +$('gen').value, block_length: +$('block').value, steps: +$('steps').value,
    cache_method: $('method').value, budget: +$('budget').value, refresh: $('refresh').value,
  };
  controller = new AbortController();
  $('run').disabled = true; $('stop').disabled = false;
  $('status').textContent = 'waiting…';
  try {
    const r = await fetch('v1/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), signal: controller.signal });
    if (!r.ok) {
      const e = await r.json();
      throw new Error(e.error ? e.error.message : r.statusText);
    }
    await readEvents(r.body.getReader(), chunk => onChunk(chunk, body));
  } catch (e) {
    if (e.name !== 'AbortError') { $('error').textContent = e.message; }
    $('status').textContent = e.name === 'AbortError' ? 'stopped' : 'failed';
  } finally {
    $('run').disabled = false; $('stop').disabled = true;
  }
};

// Server-sent events: "data: {json}" lines separated by blank lines, the last one "data: [DONE]".
async function readEvents(reader, onData) {
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) { return; }
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trim()).join('\n');
      if (data === '[DONE]') { return; }
      if (data) { onData(JSON.parse(data)); }
    }
  }
}

const state = { promptTokens: 0, rows: [], full: 0 };

function reset() {
  $('canvas').innerHTML = ''; $('answer').textContent = ''; $('heatmap').innerHTML = ''; $('error').textContent = '';
  $('kv').textContent = ''; $('kvbar').style.width = '0';
  state.promptTokens = 0; state.rows = [];
}

function onChunk(chunk, body) {
  if (chunk.error) { throw new Error(chunk.error.message); }
  const choice = (chunk.choices || [])[0];
  if (choice && choice.text) { $('answer').textContent += choice.text; }
  const e = chunk.maskkv;
  if (!e) { return; }
  if (e.queued) { $('status').textContent = 'queued at place ' + e.queued.position; }
  if (e.started) { onStarted(e.started, body.max_tokens); }
  if (e.eviction) { onEviction(e.eviction.decision); }
  if (e.step) { onStep(e.step); }
  if (e.summary) { onSummary(e.summary); }
}

function onStarted(s, gen) {
  state.promptTokens = s.prompt_tokens;
  $('status').textContent = 'running on ' + (s.workers || []).join(', ');
  for (let i = 0; i < gen; i++) {
    const c = document.createElement('div');
    c.className = 'cell masked'; c.id = 'pos-' + i; c.textContent = '[MASK]';
    $('canvas').appendChild(c);
  }
}

function onStep(step) {
  for (const t of step.committed || []) {
    const c = $('pos-' + (t.position || 0));
    if (!c) { continue; }
    c.className = 'cell filled';
    c.style.setProperty('--conf', (t.confidence || 0).toFixed(3));
    c.title = 'step ' + (step.step || 0) + ', confidence ' + (t.confidence || 0).toFixed(3);
    c.innerHTML = '';
    c.append(document.createTextNode(t.text || ('#' + t.token_id)));
    const s = document.createElement('span'); s.className = 'step'; s.textContent = 's' + (step.step || 0);
    c.append(s);
  }
  if (step.kv_bytes) { showKv(+step.kv_bytes, state.full); }
}

// One eviction decision = one layer: a row per head, each cell a bucket of prompt positions, shaded by the
// share of that bucket the head kept.
function onEviction(d) {
  const layer = d.layer || 0;
  const heads = d.kept_positions || [];
  const n = Math.max(1, state.promptTokens);
  const cols = Math.min(COLUMNS, n);
  const grid = $('heatmap');
  grid.style.gridTemplateColumns = 'auto repeat(' + cols + ', 1fr)';
  heads.forEach((h, head) => {
    const counts = new Array(cols).fill(0);
    for (const p of h.positions || []) { counts[Math.min(cols - 1, Math.floor(p * cols / n))]++; }
    const perBucket = n / cols;
    const label = document.createElement('div');
    label.className = 'hm-label'; label.textContent = 'L' + layer + '.H' + head + ' (' + (h.positions || []).length + ')';
    grid.appendChild(label);
    counts.forEach((k, col) => {
      const c = document.createElement('div');
      c.className = k > 0 ? 'hm-cell kept' : 'hm-cell';
      c.dataset.layer = layer; c.dataset.head = head;
      c.style.setProperty('--d', Math.min(1, k / perBucket).toFixed(3));
      c.title = 'layer ' + layer + ', head ' + head + ': ' + k + ' kept of positions ' + Math.floor(col * perBucket)
        + '–' + Math.floor((col + 1) * perBucket - 1);
      grid.appendChild(c);
    });
  });
  state.full += +(d.bytes_before || 0);
}

function onSummary(s) {
  const full = +(s.kv_bytes_prompt_full || 0);
  state.full = full;
  showKv(+(s.kv_bytes_kept || 0), full);
  $('status').textContent = 'done: ' + (s.steps || 0) + ' steps, ' + (+s.ms_per_step || 0).toFixed(1)
    + ' ms/step, prefill ' + (+s.prefill_ms || 0).toFixed(1) + ' ms';
  $('status').dataset.done = 'true';
}

function showKv(kept, full) {
  const kib = b => (b / 1024).toFixed(1) + ' KiB';
  $('kv').textContent = 'KV held ' + kib(kept) + (full ? ' of the full cache\'s ' + kib(full) + ' ('
    + (100 * kept / full).toFixed(1) + '%)' : '');
  if (full) { $('kvbar').style.width = Math.min(100, 100 * kept / full) + '%'; }
}
