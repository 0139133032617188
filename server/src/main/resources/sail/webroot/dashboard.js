// The dashboard: polls GET /v1/admin/status (current values), GET /v1/admin/dashboard (the
// server's ring buffer of per-second samples and publish attempts, only what is new) and /metrics
// (training and evaluation meters, when the server has them), and redraws. Values a server does
// not report show as "—".
'use strict';

(() => {
  const POLL_MS = 2000;
  const CHART_HEIGHT = 200;
  Sail.bindKeyField(document.getElementById('api-key'));
  const errorEl = document.getElementById('error');
  const updatedEl = document.getElementById('updated');

  // What the page has seen; trimmed to the server's capacity, like its ring buffer.
  let after = 0;
  let capacity = 600;
  let samples = [];
  let publishes = [];

  // ------------------------------------------------------------------ charts

  const palette = ['#2f6fde', '#d97706', '#1a7f4b', '#9333ea'];

  function series(label, index, extra) {
    return Object.assign({label, stroke: palette[index], width: 1.5, spanGaps: false}, extra);
  }

  /** A uPlot chart in element `id`; x is unix seconds when `time`, else a plain number (step). */
  function chart(id, time, xLabel, lines, extraScales, extraAxes) {
    const target = document.getElementById(id);
    const options = {
      width: Math.max(300, target.clientWidth),
      height: CHART_HEIGHT,
      scales: Object.assign({x: {time}}, extraScales || {}),
      series: [{label: xLabel}].concat(lines),
      // room for labels such as -0.025
      axes: [{}, {size: 60}].concat(extraAxes || []),
      legend: {live: true},
    };
    const plot = new uPlot(options, [[]].concat(lines.map(() => [])), target);
    plot.target = target;
    return plot;
  }

  const charts = {
    version: chart('c-version', true, 'time', [
      series('served version', 0, {paths: uPlot.paths.stepped({align: 1})}),
    ]),
    loss: chart('c-loss', false, 'step', [
      series('loss', 0),
      series('NLL anchor', 1),
      series('mean s', 2),
      series('entropy gap', 3),
    ]),
    // the bound is usually far above the value, so it is in the tile rather than on this scale
    kl: chart('c-kl', false, 'step', [series('KL', 0, {points: {show: true}})]),
    throughput: chart(
      'c-throughput',
      true,
      'time',
      [series('tokens/s', 0), series('replies/s', 1, {scale: 'replies'})],
      {replies: {}},
      [{scale: 'replies', side: 1, grid: {show: false}}],
    ),
    // a period without replies has no latency: draw every point, or a lone busy second is invisible
    latency: chart('c-latency', true, 'time', [
      series('mean', 0, {points: {show: true, size: 5}}),
      series('p95', 3, {points: {show: true, size: 5}}),
      series('first text', 2, {points: {show: true, size: 5}}),
    ]),
  };

  // for a look from the browser console (and the browser test)
  window.sailDashboard = {charts};

  window.addEventListener('resize', () => {
    for (const plot of Object.values(charts)) {
      plot.setSize({width: Math.max(300, plot.target.clientWidth), height: CHART_HEIGHT});
    }
  });

  function column(rows, pick) {
    return rows.map((row) => {
      const value = pick(row);
      return value === undefined ? null : value;
    });
  }

  function klCheck(guards) {
    return (guards || []).find((g) => g.name === 'KL');
  }

  function redraw() {
    const time = column(samples, (s) => s.time_ms / 1000);
    charts.version.setData([time, column(samples, (s) => s.model_version)]);
    charts.throughput.setData([
      time,
      column(samples, (s) => s.tokens_per_s),
      column(samples, (s) => s.generations_per_s),
    ]);
    charts.latency.setData([
      time,
      column(samples, (s) => s.latency_mean_ms),
      column(samples, (s) => s.latency_p95_ms),
      column(samples, (s) => s.ttft_mean_ms),
    ]);
    const steps = samples.filter((s) => s.step_report).map((s) => s.step_report);
    charts.loss.setData([
      column(steps, (r) => r.step),
      column(steps, (r) => r.loss),
      column(steps, (r) => r.anchor_nll),
      column(steps, (r) => r.mean_s),
      column(steps, (r) => r.entropy_gap),
    ]);
    const checked = publishes.filter((p) => klCheck(p.guards));
    charts.kl.setData([
      column(checked, (p) => p.step),
      column(checked, (p) => klCheck(p.guards).value),
    ]);
  }

  // ------------------------------------------------------------------ tables and tiles

  function setTile(id, text) {
    document.getElementById(id).textContent = text;
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.append(td);
  }

  function renderPublishes() {
    const body = document.getElementById('publishes');
    body.replaceChildren();
    for (const p of publishes.slice(-10).reverse()) {
      const row = document.createElement('tr');
      cell(row, new Date(p.time_ms).toLocaleTimeString());
      cell(row, String(p.step));
      cell(row, p.published ? 'published' : 'skipped', p.published ? 'pass' : 'fail');
      cell(row, String(p.version));
      cell(
        row,
        (p.guards || [])
          .map((g) => `${g.name} ${Sail.format(g.value, 3)} ${g.passed ? '✓' : '✗'}`)
          .join(', ') || '—',
      );
      body.append(row);
    }
    if (!publishes.length) {
      const row = document.createElement('tr');
      cell(row, 'none yet');
      row.firstChild.colSpan = 5;
      body.append(row);
    }
  }

  // The serving meters, drawn above from the dashboard history; every other sail_ series (training,
  // evaluation, whatever the server adds) is listed as it comes.
  const SERVING_METERS =
    /^sail_(generations|generated_tokens|generation_duration|generation_ttft|requests_rejected|feedback|preferences|engine_|traffic_log_)/;

  /** The sail_ series of the Prometheus text format that are not serving meters. */
  function otherMeters(text) {
    const out = [];
    for (const line of text.split('\n')) {
      const match = /^(sail_\w*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match && !SERVING_METERS.test(match[1]) && !match[1].endsWith('_bucket')) {
        out.push({name: match[1], labels: match[2] || '', value: Number(match[3])});
      }
    }
    return out;
  }

  function renderMeters(meters) {
    const body = document.getElementById('meters');
    body.replaceChildren();
    for (const m of meters) {
      const row = document.createElement('tr');
      cell(row, m.name + m.labels);
      cell(row, Sail.format(m.value, 4));
      body.append(row);
    }
    if (!meters.length) {
      const row = document.createElement('tr');
      cell(row, 'none reported by this server yet');
      cell(row, '—');
      body.append(row);
    }
  }

  /** The first meter whose name matches `pattern`, or undefined. */
  function meter(meters, pattern) {
    const found = meters.find((m) => pattern.test(m.name));
    return found ? found.value : undefined;
  }

  function renderTiles(status, meters) {
    const training = status.training;
    setTile('t-version', String(status.model_version));
    setTile('t-state', training ? training.state.toLowerCase() : 'off');
    setTile('t-step', training ? String(training.step) : '—');
    setTile('t-loss', Sail.format(training && training.last_loss, 4));
    const steps = samples.filter((s) => s.step_report);
    const lastStep = steps.length ? steps[steps.length - 1].step_report : {};
    setTile('t-step-seconds', Sail.format(lastStep.seconds, 2));
    const kl = training && klCheck(training.guards);
    setTile('t-kl', kl ? `${Sail.format(kl.value, 3)} ≤ ${Sail.format(kl.bound, 2)}` : '—');
    // not in the status yet on every server: the status field when present, else a meter
    const rewardAccuracy =
      (training && training.reward_accuracy) ?? meter(meters, /reward.*accuracy/);
    setTile('t-reward-accuracy', Sail.format(rewardAccuracy, 3));
    const winRate = (status.evaluation && status.evaluation.win_rate) ?? meter(meters, /win_?rate/);
    setTile('t-win-rate', Sail.format(winRate, 3));
    // one second is mostly idle or busy: the tile averages the last ten
    const recent = samples.slice(-10).filter((s) => s.tokens_per_s !== null);
    const tokens = recent.reduce((sum, s) => sum + s.tokens_per_s, 0) / recent.length;
    setTile('t-tokens', Sail.format(recent.length ? tokens : null, 1));
    const withLatency = samples.filter((s) => s.latency_p95_ms !== null);
    setTile('t-p95', Sail.format(withLatency.length ? withLatency.pop().latency_p95_ms : null, 0));
    setTile('t-queue', `${status.queued} / ${status.active}`);
    setTile('t-generations', String(status.counts.generations));
    setTile('t-feedback', `${status.counts.feedback} / ${status.counts.preferences}`);
  }

  // ------------------------------------------------------------------ polling

  async function poll() {
    try {
      const [status, history, metricsText] = await Promise.all([
        Sail.getJson('/v1/admin/status'),
        Sail.getJson('/v1/admin/dashboard?after=' + after),
        // the meters are optional: a server without /metrics still has a dashboard
        Sail.getText('/metrics').catch(() => ''),
      ]);
      if (history.last_seq < after) {
        // the server restarted and numbers from 1 again: start over
        after = 0;
        samples = [];
        publishes = [];
        return;
      }
      capacity = history.capacity;
      samples = samples.concat(history.samples).slice(-capacity);
      publishes = publishes.concat(history.publishes).slice(-capacity);
      for (const entry of history.samples.concat(history.publishes)) {
        after = Math.max(after, entry.seq);
      }
      const meters = otherMeters(metricsText);
      renderTiles(status, meters);
      renderPublishes();
      renderMeters(meters);
      redraw();
      errorEl.hidden = true;
      updatedEl.textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
    } catch (e) {
      errorEl.textContent = 'cannot reach the server: ' + e.message;
      errorEl.hidden = false;
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
