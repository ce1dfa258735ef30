import HealthCore

/// How the status page spells things (states as colour classes, marks and words; ages; escaped text) and its one
/// stylesheet.
extension StatusPage {
    static func cssClass(_ h: Health?) -> String {
        switch h {
        case .healthy: "h-healthy"
        case .degraded: "h-degraded"
        case .down: "h-down"
        case nil: "h-pending"
        }
    }

    static func word(_ h: Health?) -> String { h?.description ?? "pending" }

    static func mark(_ h: Health?) -> String {
        switch h {
        case .healthy: "✅"
        case .degraded: "⚠️"
        case .down: "❌"
        case nil: "⏳"
        }
    }

    /// `45s`, `5m 30s`, `3h 12m`, `2d 4h`: two units at most, as people read an age.
    static func age(_ span: TimeSpan) -> String {
        let s = max(0, Int64(span.seconds.rounded()))
        func two(_ a: Int64, _ ua: String, _ b: Int64, _ ub: String) -> String { b == 0 ? "\(a)\(ua)" : "\(a)\(ua) \(b)\(ub)" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return two(s / 60, "m", s % 60, "s") }
        if s < 86400 { return two(s / 3600, "h", s / 60 % 60, "m") }
        return two(s / 86400, "d", s / 3600 % 24, "h")
    }

    // MARK: - Style: neutral greys, the state colour only where a state is shown; light and dark

    static let css = """
    :root{--bg:#f5f6f8;--card:#fff;--fg:#1f2328;--muted:#5f6873;--line:#d8dee4;--grid:#e6e9ed;\
    --ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--pend:#6e7781;\
    --ok-t:#e2f4e6;--warn-t:#fff3c4;--bad-t:#ffe5e3;--pend-t:#eceff2;\
    --av:#1b8a8a;--p50:#93b9ee;--p95:#2f6fd6;--p99:#7b3fc4;--val:#2f6fd6;--warn-line:#d4a72c}
    @media (prefers-color-scheme:dark){\
    :root{--bg:#0f1216;--card:#171b21;--fg:#e6e8eb;--muted:#9aa3ad;--line:#2d333b;--grid:#262c34;\
    --ok:#3fb950;--warn:#d29922;--bad:#f85149;--pend:#8b949e;\
    --ok-t:#13291b;--warn-t:#2d240f;--bad-t:#361719;--pend-t:#22272e;\
    --av:#39c5bb;--p50:#5b7fae;--p95:#58a6ff;--p99:#bc8cff;--val:#58a6ff;--warn-line:#d29922}}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
    body{margin:0;background:var(--bg);color:var(--fg);\
    font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,"Helvetica Neue",Arial,sans-serif;\
    overflow-wrap:anywhere}
    .h-healthy{--c:var(--ok);--t:var(--ok-t)}.h-degraded{--c:var(--warn);--t:var(--warn-t)}\
    .h-down{--c:var(--bad);--t:var(--bad-t)}.h-pending{--c:var(--pend);--t:var(--pend-t)}
    .band{background:var(--t);border-bottom:4px solid var(--c);padding:18px max(16px,calc((100% - 1368px)/2))}
    .band-top{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px}
    .band h1{margin:0;font-size:26px;line-height:1.2;color:var(--c)}
    .gen,.counts{margin:4px 0 0;color:var(--muted)}.counts{font-weight:600}
    .why{margin:8px 0 0;padding-left:20px}.why li{margin:2px 0}
    main{max-width:1400px;margin:0 auto;padding:4px 16px 16px}
    h2{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:22px 0 8px}
    .grid{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr))}
    @media (min-width:1000px){.grid{grid-auto-flow:row dense}.wide{grid-column:span 2}}
    .comps{grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr))}
    .card{min-width:0;background:var(--card);border:1px solid var(--line);border-top:4px solid var(--c);\
    border-radius:8px;padding:12px 14px}
    .head{display:flex;align-items:flex-start;justify-content:space-between;gap:8px}
    .head h3{margin:0;font-size:16px;line-height:1.3;min-width:0}
    .badge{flex:none;font-size:12px;font-weight:600;color:var(--c);background:var(--t);border-radius:999px;\
    padding:2px 9px;white-space:nowrap}
    .sub{margin:2px 0 0;color:var(--muted);font-size:12px}
    .kind{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
    .card .why{font-size:13px}
    .err{margin:8px 0 0;padding:6px 9px;border-radius:6px;background:var(--bad-t);font-size:13px}\
    .err b{color:var(--bad);margin-right:4px}
    .msg{margin:6px 0 0;font-size:12px;color:var(--muted)}
    .muted{color:var(--muted)}p.muted{margin:8px 0 0;font-size:13px}
    .facts{display:flex;flex-wrap:wrap;gap:6px 20px;margin:10px 0 2px}
    .facts dt{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
    .facts dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
    .stale,.soon{color:var(--warn)}.expired{color:var(--bad)}.note{color:var(--muted);font-weight:400}
    .charts{display:grid;gap:0 20px;grid-template-columns:repeat(auto-fit,minmax(min(100%,300px),1fr))}\
    .chart{margin:10px 0 0;min-width:0}
    figcaption{display:flex;flex-wrap:wrap;align-items:center;gap:2px 10px;font-size:11px;color:var(--muted)}
    .cname{font-weight:600;color:var(--fg);font-size:12px;margin:0}
    .s-av{--lc:var(--av)}.s-p50{--lc:var(--p50)}.s-p95{--lc:var(--p95)}.s-p99{--lc:var(--p99)}.s-val{--lc:var(--val)}\
    .t-deg{--lc:var(--warn-line)}.t-down{--lc:var(--bad)}
    .lg::before{content:"";display:inline-block;width:14px;border-top:2px solid var(--lc);vertical-align:middle;\
    margin-right:4px}
    .lg.t-deg::before,.lg.t-down::before{border-top-style:dashed}
    .spark{display:block;width:100%;height:auto;margin-top:2px}
    .spark path{fill:none;stroke:var(--lc);stroke-width:14;stroke-linejoin:round;stroke-linecap:round}
    .spark .g{stroke:var(--grid);stroke-width:8}
    .spark .t{stroke-width:10;stroke-dasharray:50 35;stroke-linecap:butt}
    .spark text{font-size:110px;fill:var(--muted)}
    .details{margin-top:12px}
    .scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px;margin-top:4px}
    table{border-collapse:collapse;font-size:12px;width:100%}
    th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
    th{color:var(--muted);font-weight:600;background:var(--bg)}
    tr:last-child td{border-bottom:0}
    td.long{white-space:normal;min-width:18em;overflow-wrap:anywhere}
    a{color:inherit}
    footer{max-width:1400px;margin:0 auto;padding:4px 16px 24px;color:var(--muted);font-size:12px}
    @media (max-width:480px){td.long{min-width:14em}.band{padding:14px 12px}.band h1{font-size:22px}\
    main{padding:0 10px 12px}footer{padding:4px 10px 20px}.card{padding:10px 12px}}
    """
}

// MARK: - Escaping

/// Appends `text` escaped for HTML text and quoted attribute values (`& < > " '`). Text without any of
/// them, nearly all of it, is appended in one piece.
func appendHTMLEscaped(_ text: String, to out: inout String) {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
        out += text
        return
    }
    for c in text.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
}

func htmlEscaped(_ text: String) -> String {
    var out = ""
    appendHTMLEscaped(text, to: &out)
    return out
}
