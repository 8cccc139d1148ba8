import type { ProfileReport, TimeShare } from '../report.js'
import { CLIENT_SCRIPT } from './client-script.js'
import type { FlameNode } from './flame-tree.js'
import { PAGE_STYLE } from './page-style.js'

/** What the page shows besides the frames. */
export interface FlamePageInput {
  readonly title: string
  /** One line under the title: when, how long, which workers, the sampling interval. */
  readonly subtitle: string
  readonly tree: FlameNode
  readonly report: ProfileReport
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string)
}

/** JSON safe inside a <script> element: no `<` can close it, and U+2028/9 cannot break a line. */
function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function shareTable (caption: string, id: string, rows: readonly TimeShare[]): string {
  if (rows.length === 0) return `<section><h2>${caption}</h2><p class="tg-none">no samples</p></section>`
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.name)}</td><td>${r.selfMs}</td><td>${r.selfPercent}</td><td>${r.totalMs}</td><td>${r.totalPercent}</td></tr>`).join('')
  return `<section><h2>${caption}</h2><table id="${id}"><thead><tr><th>name</th><th>self ms</th><th>self %</th><th>total ms</th><th>total %</th></tr></thead><tbody>${body}</tbody></table></section>`
}

function framesTable (report: ProfileReport): string {
  const body = report.topFrames.map((f) => `<tr><td>${escapeHtml(f.functionName)}</td><td>${escapeHtml(f.location)}</td><td>${escapeHtml(f.plugin ?? '')}</td><td>${f.selfMs}</td><td>${f.selfPercent}</td></tr>`).join('')
  return `<section class="tg-wide"><h2>Top frames by self time</h2><table id="tg-top"><thead><tr><th>function</th><th>where</th><th>plugin</th><th>self ms</th><th>self %</th></tr></thead><tbody>${body}</tbody></table></section>`
}

/**
 * A self-contained flame graph page: styles, script and data inline, nothing fetched. Percentages
 * in the tables are of busy (non-idle) time, as in the chart.
 */
export function renderFlamePage (input: FlamePageInput): string {
  const { report } = input
  const workers = report.workers.map((w) => `${w.pid}: ${w.samples} samples, ${w.busyMs} ms busy`).join('; ')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p>${escapeHtml(input.subtitle)}</p>
<p>${report.samples} samples over ${report.sampledMs} ms sampled: ${report.busyMs} ms busy, ${report.idleMs} ms idle (left out of the chart). Workers: ${escapeHtml(workers)}.</p>
</header>
<nav>
<input id="tg-search" type="search" placeholder="search frames, files, plugins" aria-label="search">
<button id="tg-reset" type="button">reset zoom</button>
<label><input id="tg-merge" type="checkbox"> merge workers</label>
<span id="tg-found"></span>
</nav>
<div id="tg-crumbs"></div>
<div id="tg-chart"></div>
<div id="tg-tip"></div>
<p class="tg-legend"><span style="background:hsl(22,80%,64%)"></span>Tollgate <span style="background:hsl(48,70%,62%)"></span>dependencies <span style="background:hsl(205,45%,70%)"></span>Node.js <span style="background:hsl(0,0%,78%)"></span>V8 and native; plugins have a colour each and their name in brackets. Click a frame to zoom, click above it to zoom out.</p>
<main>
${shareTable('Time per plugin', 'tg-plugins', report.plugins)}
${shareTable('Time per phase', 'tg-phases', report.phases)}
${framesTable(report)}
</main>
<script type="application/json" id="tg-data">${scriptJson({ tree: input.tree })}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`
}
