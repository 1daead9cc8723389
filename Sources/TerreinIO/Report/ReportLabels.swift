extension ReportWriter {
    // MARK: Labels

    struct Labels {
        let title, terreinen, regionsCount, mapIn, regionsTitle, mapTitle, chartsTitle, tableTitle: String
        let noRegion, noRows, indicator, noIndicators, noData, natura2000, noGeometry, scale: String
        let chartEmpty, sortHint, footer: String
        let search, searchHint, regionFilter, allRegions: String
        let previousPage, nextPage, page: String

        init(_ language: ReportLanguage) {
            switch language {
            case .nl:
                title = "Terreinindicatoren"; terreinen = "terreinen"; regionsCount = "regio’s"; mapIn = "kaart in"
                regionsTitle = "Samenvatting per regio"; mapTitle = "Kaart"; chartsTitle = "Top 10 terreinen"
                tableTitle = "Alle indicatoren"; noRegion = "(geen regio)"; noRows = "Geen rijen."
                indicator = "Indicator:"; noIndicators = "Geen kaartindicatoren in deze uitvoer."
                noData = "geen gegevens"; natura2000 = "Natura 2000-gebied"; noGeometry = "Geen geometrie om te tonen."
                scale = "schaal"
                chartEmpty = "Geen gegevens voor deze grafiek."
                sortHint = "Klik op een kolomkop om te sorteren; nogmaals klikken keert de volgorde om."
                footer = "Gemaakt met Terrein. Definities: docs/indicators.md."
                search = "Zoeken:"; searchHint = "id of naam"; regionFilter = "Regio:"; allRegions = "alle regio’s"
                previousPage = "‹ vorige"; nextPage = "volgende ›"; page = "pagina"
            case .en:
                title = "Business park indicators"; terreinen = "business parks"; regionsCount = "regions"; mapIn = "map in"
                regionsTitle = "Summary per region"; mapTitle = "Map"; chartsTitle = "Top 10 business parks"
                tableTitle = "All indicators"; noRegion = "(no region)"; noRows = "No rows."
                indicator = "Indicator:"; noIndicators = "No map indicators in this output."
                noData = "no data"; natura2000 = "Natura 2000 site"; noGeometry = "No geometry to show."
                scale = "scale"
                chartEmpty = "No data for this chart."
                sortHint = "Click a column header to sort; click again to reverse."
                footer = "Made with Terrein. Definitions: docs/indicators.md."
                search = "Search:"; searchHint = "id or name"; regionFilter = "Region:"; allRegions = "all regions"
                previousPage = "‹ previous"; nextPage = "next ›"; page = "page"
            }
        }
    }

}
