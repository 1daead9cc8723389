extension ReportWriter {
    // MARK: Inline CSS and JS

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 1rem 2rem;color:#1d1d1b;background:#fff}
    h1{font-size:1.6rem;margin:1.2rem 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
    h3{font-size:1rem;margin:.2rem 0 .4rem}
    .meta,.hint,footer{color:#555;font-size:.9rem}nav a{color:#1a5d8f}
    .scroll{overflow:auto;max-height:70vh;border:1px solid #ddd}
    table.data{border-collapse:collapse;font-size:.82rem;white-space:nowrap}
    table.data th,table.data td{padding:.2rem .45rem;border-bottom:1px solid #eee;text-align:left}
    table.data thead th{position:sticky;top:0;background:#f3f3f0;cursor:pointer;user-select:none}
    table.data th[aria-sort=ascending]::after{content:" \\25B2"}table.data th[aria-sort=descending]::after{content:" \\25BC"}
    td.num{text-align:right;font-variant-numeric:tabular-nums}
    .mapbox{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
    #map-svg{flex:1 1 600px;max-width:100%;max-height:80vh;border:1px solid #ddd;background:#fbfbf8}
    #terreinen path{stroke:#333;stroke-width:.6px;vector-effect:non-scaling-stroke;stroke-linejoin:round;stroke-linecap:round;fill-rule:evenodd}
    #terreinen path:hover{stroke:#000;stroke-width:2px}
    #n2k path{fill:url(#n2k-hatch);stroke:#2e7d32;stroke-width:1px;vector-effect:non-scaling-stroke;fill-rule:evenodd}
    .legends{flex:0 0 15rem;font-size:.85rem}.legends ul{list-style:none;padding:0;margin:0 0 .6rem}.legends li{margin:.15rem 0}
    .sw{display:inline-block;width:1.1em;height:.9em;margin-right:.4em;border:1px solid #888;vertical-align:middle}
    .sw.n2k{border-color:#2e7d32;background:repeating-linear-gradient(45deg,#2e7d32 0 1px,#eef5ee 1px 4px)}
    .charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{flex:1 1 340px;margin:0}
    .chart figcaption{font-weight:600;margin-bottom:.4rem}
    table.bars{border-collapse:collapse;width:100%;font-size:.8rem}
    table.bars th{font-weight:normal;text-align:left;max-width:12rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:.1rem .4rem .1rem 0}
    td.barcell{width:50%}.bar{display:block;height:.8rem;background:#3274b2}
    footer{margin-top:2rem}
    .filters{margin:.4rem 0 .6rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center;font-size:.9rem}
    #tip{position:fixed;z-index:10;pointer-events:none;background:#fff;border:1px solid #888;border-radius:3px;padding:.3rem .5rem;font-size:.8rem;box-shadow:0 1px 4px rgba(0,0,0,.25);max-width:22rem}
    #tip .tip-name{display:block;font-weight:700}#tip .tip-hint{color:#666}
    #terreinen path{cursor:pointer}
    .pager{margin:.5rem 0;display:flex;gap:.8rem;align-items:center;font-size:.9rem}.pager[hidden]{display:none}
    @media print{.scroll{max-height:none;overflow:visible}select{display:none}.filters,.pager,#tip{display:none}}

    """

}
