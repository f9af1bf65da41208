extension AdminUIAssets {
    /// `/admin/assets/app.css`, compiled in (no file is read at run time).
    static let css = #"""
/* Switchboard admin UI: one small stylesheet, readable from a phone up. */
:root {
  --fg: #1d2433; --muted: #667085; --bg: #f4f6fa; --card: #fff; --line: #dde2ea;
  --accent: #2357d9; --good: #1f9d55; --warn: #c98a00; --bad: #d23c3c;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.45; }
a { color: var(--accent); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 0.85em; word-break: break-all; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; padding: 0.6rem 1rem; background: var(--fg); color: #fff; }
.bar .brand { font-weight: 700; }
.bar nav { display: flex; flex-wrap: wrap; gap: 0.25rem; flex: 1; }
.bar nav a { color: #d5dcec; text-decoration: none; padding: 0.3rem 0.6rem; border-radius: 6px; }
.bar nav a[aria-current="page"], .bar nav a:hover { background: rgba(255, 255, 255, 0.15); color: #fff; }
.bar .logout { margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 0 0 0.75rem; }
h3 { font-size: 1rem; margin: 0 0 0.25rem; }
.card { overflow-wrap: anywhere; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem; margin: 0 0 1rem; }
.muted { color: var(--muted); }
.notice { padding: 0.6rem 0.9rem; border-radius: 8px; }
.notice.ok { background: #e7f6ed; color: #135c33; }
.notice.error, .error { background: #fdecec; color: #8c1d1d; padding: 0.6rem 0.9rem; border-radius: 8px; }
.hero { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
.big { font-size: 3.2rem; font-weight: 700; line-height: 1; }
.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
.count { margin: 0; }
.count .n { font-size: 1.5rem; font-weight: 600; }
.status { display: inline-block; padding: 0.15rem 0.6rem; border-radius: 999px; background: #eceff4; font-size: 0.85rem; font-weight: 600; }
.status-ok, .status-resolved { background: #e7f6ed; color: #135c33; }
.status-warning, .status-pending { background: #fff4d6; color: #7a5400; }
.status-critical, .status-unresolved, .status-conflict { background: #fdecec; color: #8c1d1d; }
.chart { width: 100%; height: auto; max-height: 220px; }
.chart .bar { fill: var(--accent); }
.chart .bar.good { fill: var(--good); }
.chart .bar.warn { fill: var(--warn); }
.chart .bar.bad { fill: var(--bad); }
.chart .grid { stroke: var(--line); }
.chart .label { font-size: 10px; fill: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
.error-text { color: #8c1d1d; }
button, .button { font: inherit; border: 0; border-radius: 8px; padding: 0.45rem 0.9rem; background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #e8edf8; color: var(--accent); }
button.danger { color: var(--bad); }
.bar button { background: transparent; border: 1px solid #8792a8; color: #fff; padding: 0.3rem 0.7rem; }
input, select { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--line); border-radius: 8px; background: #fff; max-width: 100%; }
.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; }
.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
.assign { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.5rem 0; }
.assign input { flex: 1 1 10rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline .event { display: grid; grid-template-columns: 11rem 10rem 12rem 8rem 1fr; gap: 0.5rem; padding: 0.5rem 0.75rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin-bottom: 0.4rem; animation: arrive 1.2s ease-out; }
.timeline .kind { font-weight: 600; }
@keyframes arrive { from { background: #fff7d1; } to { background: var(--card); } }
.login main { max-width: 420px; padding-top: 10vh; }
.login form { display: flex; flex-direction: column; gap: 0.6rem; }
/* Phones: tables become stacked cards, the timeline one column. */
@media (max-width: 640px) {
  .bar { justify-content: space-between; }
  .bar nav { order: 3; flex: 1 1 100%; flex-wrap: nowrap; overflow-x: auto; scrollbar-width: none; }
  .bar nav a { white-space: nowrap; }
  .big { font-size: 2.6rem; }
  .hero { flex-direction: column; align-items: flex-start; }
  table thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 0.6rem; padding: 0.25rem 0; }
  td { border: 0; padding: 0.2rem 0.6rem; }
  td[data-label]:not([data-label=""])::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 600; }
  .timeline .event { grid-template-columns: 1fr; gap: 0.1rem; }
}
"""#
}
