import Foundation
import TerreinGeometry

extension ReportWriter {
    // MARK: SVG

    /// The map: sites (hatched) under the terreinen, a scale bar; y flipped, 1 m units.
    static func mapSVG(_ data: ReportData, first: MapIndicator?, _ L: Labels) -> String {
        var extent: Bounds?
        func include(_ rings: [[[Double]]]) {
            for p in rings { for r in p { var k = 0; while k + 1 < r.count {
                let b = Bounds(minX: r[k], minY: r[k + 1], maxX: r[k], maxY: r[k + 1])
                if extent == nil { extent = b } else { extent!.formUnion(b) }
                k += 2
            } } }
        }
        for t in data.terreinRings { include(t) }
        if let core = extent {
            // Show the sites near the terreinen too: their parts within a margin of
            // max(500 m, 10 % of the terreinen's extent) widen the map.
            let window = core.expanded(by: max(500, 0.1 * max(core.maxX - core.minX, core.maxY - core.minY)))
            for s in data.natura2000 {
                var site: Bounds?
                let saved = extent
                extent = nil
                include(s.rings)
                site = extent
                extent = saved
                guard let b = site, b.intersects(window) else { continue }
                extent!.formUnion(Bounds(minX: max(b.minX, window.minX), minY: max(b.minY, window.minY),
                                         maxX: min(b.maxX, window.maxX), maxY: min(b.maxY, window.maxY)))
            }
        } else {
            for s in data.natura2000 { include(s.rings) }
        }
        guard var box = extent else { return "<p>\(L.noGeometry)</p>\n" }
        let pad = max(100, 0.03 * max(box.maxX - box.minX, box.maxY - box.minY))
        box = box.expanded(by: pad)
        let ox = floor(box.minX), oy = ceil(box.maxY)
        let width = Int(ceil(box.maxX - ox)), height = Int(ceil(oy - box.minY))
        var s = "<svg id=\"map-svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">\n"
        s += "<defs><pattern id=\"n2k-hatch\" patternUnits=\"userSpaceOnUse\" width=\"\(max(1, width / 150))\" height=\"\(max(1, width / 150))\" patternTransform=\"rotate(45)\">"
        s += "<rect width=\"\(max(1, width / 150))\" height=\"\(max(1, width / 150))\" fill=\"#2e7d32\" fill-opacity=\"0.06\"/>"
        s += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(max(1, width / 150))\" stroke=\"#2e7d32\" stroke-width=\"\(max(1, width / 600))\" stroke-opacity=\"0.6\"/></pattern></defs>\n"
        s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#fbfbf8\"/>\n"
        if !data.natura2000.isEmpty {
            s += "<g id=\"n2k\">\n"
            for site in data.natura2000 {
                let d = pathData(site.rings, ox: ox, oy: oy)
                if d.isEmpty { continue }
                s += "<path d=\"\(d)\"><title>\(esc(site.name))</title></path>\n"
            }
            s += "</g>\n"
        }
        s += "<g id=\"terreinen\">\n"
        let idIndex = data.indicators.columnIndex(role: .identifier), nameIndex = data.indicators.columnIndex(role: .label)
        for (i, rings) in data.terreinRings.enumerated() {
            let d = pathData(rings, ox: ox, oy: oy)
            if d.isEmpty { continue }
            var label = ""
            if i < data.indicators.rows.count {
                let row = data.indicators.rows[i]
                if let idIndex, idIndex < row.count { label = Table.format(row[idIndex], as: .text) }
                if let nameIndex, nameIndex < row.count, case .text(let n) = row[nameIndex], !n.isEmpty { label += " · " + n }
            }
            let fill: String
            if let first, i < first.classes.count, first.classes[i] >= 0 { fill = first.colors[first.classes[i]] } else { fill = noDataColor }
            s += "<path data-i=\"\(i)\" fill=\"\(fill)\" d=\"\(d)\"><title>\(esc(label))</title></path>\n"
        }
        s += "</g>\n"
        // Scale bar, bottom left: 1, 2 or 5 × 10^k metres, about a fifth of the width.
        let target = Double(width) / 5
        var length = pow(10, floor(log10(max(target, 1))))
        if length * 5 <= target { length *= 5 } else if length * 2 <= target { length *= 2 }
        let fs = max(1, width / 55)
        let x0 = width / 30, y0 = height - height / 25
        let barH = max(1, fs / 3)
        let lengthText = length >= 1000 ? niceNumber(length / 1000) + " km" : niceNumber(length) + " m"
        s += "<g id=\"scalebar\" font-size=\"\(fs)\" font-family=\"sans-serif\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0 - barH)\" width=\"\(Int(length / 2))\" height=\"\(barH)\" fill=\"#222\"/>"
        s += "<rect x=\"\(x0 + Int(length / 2))\" y=\"\(y0 - barH)\" width=\"\(Int(length) - Int(length / 2))\" height=\"\(barH)\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"\(max(1, barH / 6))\"/>"
        s += "<text x=\"\(x0)\" y=\"\(y0 - barH - fs / 3)\">0</text>"
        s += "<text x=\"\(x0 + Int(length))\" y=\"\(y0 - barH - fs / 3)\" text-anchor=\"middle\">\(lengthText)</text>"
        s += "</g>\n</svg>\n"
        return s
    }

    /// SVG path data: each ring as an absolute move and relative integer steps (1 m), closed.
    /// With `scale`, one unit of the path is 1/scale m (the profiles draw in decimetres).
    /// Negative numbers need no separator ("l3-4" is valid path data), so none is written.
    /// Written as bytes: string interpolation per vertex and a final `replacingOccurrences`
    /// took 6.2 % of a whole run's samples at scale M with every format on (perf, 2026-12-02).
    static func pathData(_ polygons: [[[Double]]], ox: Double, oy: Double, scale: Double = 1) -> String {
        var d: [UInt8] = []
        /// Appends `v` in decimal, after a space when `separated` and it is not negative.
        func number(_ v: Int, separated: Bool) {
            if v < 0 { d.append(UInt8(ascii: "-")) } else if separated { d.append(UInt8(ascii: " ")) }
            var m = v.magnitude
            let start = d.count
            repeat {
                d.append(UInt8(ascii: "0") + UInt8(m % 10))
                m /= 10
            } while m > 0
            d[start...].reverse()
        }
        for rings in polygons {
            for ring in rings {
                var k = 0
                var px = 0, py = 0
                var first = true
                var steps = 0
                let n = ring.count / 2
                // The closing position repeats the first: "z" draws it.
                let last = n >= 2 && ring[0] == ring[2 * (n - 1)] && ring[1] == ring[2 * (n - 1) + 1] ? n - 1 : n
                while k < last {
                    let x = (ring[2 * k] - ox) * scale, y = (oy - ring[2 * k + 1]) * scale
                    guard x.isFinite, y.isFinite else { k += 1; continue }
                    let ix = Int(x.rounded()), iy = Int(y.rounded())
                    if first {
                        d.append(UInt8(ascii: "M"))
                        number(ix, separated: false)
                        number(iy, separated: true)
                        first = false
                    } else if ix != px || iy != py {
                        d.append(UInt8(ascii: "l"))
                        number(ix - px, separated: false)
                        number(iy - py, separated: true)
                        steps += 1
                    }
                    px = ix; py = iy
                    k += 1
                }
                if !first { d += steps == 0 ? Array("h0z".utf8) : [UInt8(ascii: "z")] }
            }
        }
        return String(decoding: d, as: UTF8.self)
    }

}
