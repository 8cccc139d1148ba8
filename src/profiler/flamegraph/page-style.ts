/** The flame graph page's styles, inlined into the page. */
export const PAGE_STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
h2 { font-size: 14px; margin: 16px 0 6px; }
header p { margin: 2px 0; color: #555; }
nav { margin: 12px 0 6px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
#tg-search { width: 280px; padding: 3px 6px; }
#tg-found { color: #a0006e; }
#tg-crumbs { color: #555; margin-bottom: 4px; min-height: 1.4em; }
#tg-chart { position: relative; width: 100%; overflow: hidden; border-top: 1px solid #ddd; }
.tg-frame { position: absolute; height: 17px; box-sizing: border-box; padding: 0 3px; font: 11px/17px ui-monospace, monospace;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; border-radius: 1px; }
.tg-frame:hover { outline: 1px solid #222; }
.tg-ancestor { opacity: 0.55; }
.tg-match { background: #e0198c !important; color: #fff; }
#tg-tip { position: absolute; display: none; background: #fffbe6; border: 1px solid #999; padding: 4px 8px; pointer-events: none;
  font: 12px/1.4 ui-monospace, monospace; max-width: 600px; word-break: break-all; z-index: 2; }
.tg-tip-name { font-weight: bold; }
.tg-legend span { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 10px; }
main { display: flex; flex-wrap: wrap; gap: 24px; }
.tg-wide { flex-basis: 100%; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; font-variant-numeric: tabular-nums; }
td:nth-child(n+2) { text-align: right; }
#tg-top td:nth-child(2), #tg-top td:nth-child(3) { text-align: left; }
.tg-none { color: #777; }
`
