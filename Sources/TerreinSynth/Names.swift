// Plausible Dutch names for synthetic places. Made up from word parts; any resemblance to a
// real place is coincidence, except the Natura 2000 site names, which are real site names
// used as labels only (their synthetic outlines and positions are not the real ones).

enum Names {
    static let cores = [
        "Aal", "Ber", "Bro", "Dal", "Dron", "Eem", "Elst", "Gel", "Ger", "Haar", "Har", "Hel",
        "Hoog", "Hout", "Kam", "Kerk", "Lan", "Lee", "Lin", "Maar", "Mid", "Mol", "Noor", "Oos",
        "Ou", "Rijn", "Ros", "Sle", "Sta", "Ter", "Vel", "Ven", "Vlie", "Vos", "Waal", "Wes",
        "Wier", "Zand", "Zee", "Zwa",
    ]
    static let suffixes = [
        "broek", "burg", "dam", "dijk", "dorp", "drecht", "em", "endaal", "hoven", "horst",
        "huizen", "kerk", "loo", "meer", "rode", "sum", "veen", "voorde", "wijk", "wolde",
        "woude", "zijl",
    ]

    /// `count` distinct place names, in a seeded order.
    static func places(count: Int, rng: inout SynthRandom) -> [String] {
        var all: [String] = []
        for c in cores { for s in suffixes { all.append(c + s) } }
        rng.shuffle(&all)
        if count <= all.count { return Array(all[0..<count]) }
        var out = all
        var i = 0
        while out.count < count {
            out.append("Nieuw-" + all[i % all.count] + (i >= all.count ? " \(i / all.count + 1)" : ""))
            i += 1
        }
        return out
    }

    static let parkWords = [
        "De Hoek", "Kanaalzone", "Hoge Akker", "Molenweg", "De Vaart", "Spoorzone", "Havenkwartier",
        "Poortwijk", "De Schakel", "Westpoort", "Oostpoort", "Noordkade", "Zuiderhaven", "De Waard",
        "Ambachtsweg", "Coöperatieweg", "Veilingterrein", "De Kooi", "Lage Weide", "De Brand",
        "'t Zand", "Vliegveld", "Eiland", "De Meent", "Steenoven", "Zevenhuizen", "Broekakker",
        "Stationsweg", "De Pol", "Zuidland",
    ]
    static let parkPatterns = [
        "Bedrijventerrein %@", "Industrieterrein %@", "Bedrijvenpark %@", "%@", "Businesspark %@",
        "Werklandschap %@", "Bedrijventerrein %G %D", "%G-%D", "Industriegebied %G", "Logistiek park %G",
    ]
    static let compass = ["Noord", "Oost", "Zuid", "West", "Noordoost", "Zuidwest"]

    /// A business-park name, using the gemeente name for some patterns.
    static func park(gemeente: String, rng: inout SynthRandom) -> String {
        let pattern = parkPatterns[rng.int(0, parkPatterns.count - 1)]
        let word = parkWords[rng.int(0, parkWords.count - 1)]
        let dir = compass[rng.int(0, compass.count - 1)]
        var s = ""
        var it = pattern.unicodeScalars.makeIterator()
        while let c = it.next() {
            if c == "%" {
                switch it.next() {
                case "@": s += word
                case "G": s += gemeente
                case "D": s += dir
                default: break
                }
            } else {
                s.unicodeScalars.append(c)
            }
        }
        return s
    }

    /// Real Natura 2000 site names, used as labels for the synthetic national sites.
    static let natura2000 = [
        "Waddenzee", "Noordzeekustzone", "Veluwe", "Biesbosch", "Oostelijke Vechtplassen",
        "Kolland & Overlangbroek", "Duinen Den Helder-Callantsoog", "Zwanenwater & Pettemerduinen",
        "Schoorlse Duinen", "Noordhollands Duinreservaat", "Kennemerland-Zuid", "Meijendel & Berkheide",
        "Coepelduynen", "Solleveld & Kapittelduinen", "Voornes Duin", "Kop van Schouwen",
        "Oosterschelde", "Westerschelde & Saeftinghe", "Grevelingen", "Haringvliet", "Hollands Diep",
        "Oude Maas", "Naardermeer", "Nieuwkoopse Plassen & De Haeck", "De Wieden", "Weerribben",
        "Drentsche Aa-gebied", "Dwingelderveld", "Fochteloërveen", "Bargerveen", "Engbertsdijksvenen",
        "Sallandse Heuvelrug", "Maasduinen", "Groote Peel", "Deurnsche Peel & Mariapeel",
        "Kampina & Oisterwijkse Vennen", "Loonse en Drunense Duinen & Leemkuilen", "Brabantse Wal",
        "Sint Jansberg", "Geuldal", "Brunssummerheide", "Rijntakken", "Lauwersmeer", "Alde Feanen",
        "IJsselmeer", "Markermeer & IJmeer", "Oostvaardersplassen", "Lepelaarplassen",
        "Veluwerandmeren", "Zwarte Meer", "Ketelmeer & Vossemeer", "Rottige Meenthe & Brandemeer",
        "Wijnjeterper Schar", "Drents-Friese Wold & Leggelderveld", "Holtingerveld", "Witterveld",
        "Mantingerbos", "Boetelerveld", "Lemselermaten", "Dinkelland", "Buurserzand & Haaksbergerveen",
        "Witte Veen", "Korenburgerveen", "Stelkampsveld", "Willinks Weust", "Bekendelle",
        "Wooldse Veen", "Landgoederen Oldenzaal", "Vecht- en Beneden-Reggegebied",
        "Olde Maten & Veerslootslanden", "Zouweboezem", "Boezems Kinderdijk", "Donkse Laagten",
        "Voordelta", "Krammer-Volkerak", "Zoommeer", "Veerse Meer", "Manteling van Walcheren",
        "Yerseke en Kapelse Moer", "Zwin & Kievittepolder", "Abtskolk & De Putten",
        "Polder Westzaan", "Ilperveld, Varkensland, Oostzanerveld & Twiske", "Wormer- en Jisperveld & Kalverpolder",
        "Eilandspolder", "Botshol", "Oostelijke Vechtplassen Noord", "Kolk van Dale", "Uiterwaarden Lek",
        "Lingegebied & Diefdijk-Zuid", "Langstraat", "Vlijmens Ven, Moerputten & Bossche Broek",
        "Strabrechtse Heide & Beuven", "Leenderbos, Groote Heide & De Plateaux", "Weerter- en Budelerbergen",
        "Sarsven en De Banen", "Swalmdal", "Roerdal", "Meinweg", "Abdij Lilbosch & voormalig Klooster Mariahoop",
        "Savelsbos", "Sint Pietersberg & Jekerdal", "Bemelerberg & Schiepersberg", "Kunderberg",
        "Geleenbeekdal", "Oeffelter Meent", "Zeldersche Driessen", "Sint Jansberg Noord",
        "Gelderse Poort", "Landgoederen Brummen", "Teeselinkven", "Vecht en Regge Oost",
        "Springendal & Dal van de Mosbeek", "Lonnekermeer", "Achter de Voort, Agelerbroek & Voltherbroek",
        "Borkeld", "Wierdense Veld", "Uiterwaarden Zwarte Water en Vecht", "Norgerholt",
        "Zuidlaardermeergebied", "Leekstermeergebied", "Lieftinghsbroek", "Zuidlaardermeer Oost",
        "Van Oordt's Mersken", "Groote Wielen", "Sneekermeergebied", "Witte en Zwarte Brekken",
        "Oudegaasterbrekken, Fluessen en omgeving", "Duinen Ameland", "Duinen Terschelling",
        "Duinen Vlieland", "Duinen Schiermonnikoog", "Duinen en Lage Land Texel", "Ameland Oost",
        "Waddeneilanden Noordzee", "Eemsmonding", "Dollard Kwelders", "Drouwenerzand",
        "Elperstroomgebied", "Havelte-Oost", "Mantingerzand", "Drentse Aa Zuid", "Fochteloërveen Oost",
        "Leudal", "Maasduinen Noord", "Mookerheide", "Sint Jansberg Zuid", "Kampina Oost",
        "Regte Heide & Riels Laag", "Ulvenhoutse Bos", "Dommeldal", "Tiendeveen", "Baakse Beek",
    ]
}
