import Foundation
import TerreinGeometry
import TerreinIO

/// The run manifest: versions, the pipeline's hash and resolved parameters, every input
/// with its hash and preparation counts, and timings per stage.
enum Manifest {
    static let terreinVersion = TerreinCore.terreinVersion

    static func build(pipeline: Pipeline, options: RunOptions, layers: LoadedLayers, results: [TerreinResult],
                      stages: [(String, Double)], started: String, finished: Date, files: [String],
                      warnings: [String], overlaps: Int) -> String {
        var root: [String: Any] = [:]
        root["terrein_version"] = terreinVersion
        root["geos_version"] = GEOSContext.version
        root["proj_version"] = projVersion
        root["pipeline"] = [
            "name": pipeline.name,
            "file": pipeline.file,
            "sha256": pipeline.sha256,
            "work_crs": pipeline.workCRS.description,
            "output_directory": pipeline.outputDirectory,
            "formats": pipeline.formats.map(\.rawValue),
        ] as [String: Any]
        root["parameters"] = parametersJSON(pipeline.parameters)
        root["options"] = ["threads": options.threads, "strict": options.strict, "language": options.language] as [String: Any]
        var inputs: [[String: Any]] = []
        for kind in LayerKind.allCases {
            guard let s = layers.stats[kind], let config = pipeline.layers[kind] else { continue }
            var entry: [String: Any] = [
                "layer": kind.rawValue, "path": config.declaredPath, "sha256": s.sha256, "encoding": s.encoding,
                "source_crs": s.sourceCRS, "crs_from": s.crsSource, "features": s.features, "used": s.used,
                "repaired": s.repaired, "skipped": s.skipped,
                "first_repaired": s.firstRepaired.map { ["feature": $0.index, "reason": $0.reason] as [String: Any] },
                "first_skipped": s.firstSkipped.map { ["feature": $0.index, "reason": $0.reason] as [String: Any] },
                "repair_reasons": s.repairReasons, "skip_reasons": s.skipReasons,
                "fields": config.fields.isEmpty ? [:] : config.fields,
                "cpu_s": ["parse": (s.parseSeconds * 1000).rounded() / 1000,
                          "reproject": (s.reprojectSeconds * 1000).rounded() / 1000,
                          "build_repair": (s.buildRepairSeconds * 1000).rounded() / 1000],
            ]
            if kind == .landcover {
                entry["unmapped_classes"] = s.unmappedClasses
                entry["classes"] = Dictionary(grouping: config.classes.keys.sorted(), by: { config.classes[$0]!.rawValue })
            }
            if let b = s.bounds { entry["bbox_work_crs"] = [b.minX, b.minY, b.maxX, b.maxY].map { (($0 * 100).rounded()) / 100 } }
            inputs.append(entry)
        }
        root["inputs"] = inputs
        // Faces with invalid attributes that count in some terrein (by feature index).
        let invalid = Set(results.flatMap(\.solar.invalidFaces)).sorted()
        root["roof_faces_invalid_attributes"] = ["count": invalid.count, "first": Array(invalid.prefix(10))] as [String: Any]
        root["overlapping_terrein_pairs"] = overlaps
        root["warnings"] = warnings
        root["outputs"] = files
        root["started"] = started
        root["finished"] = ISO8601DateFormatter().string(from: finished)
        root["timings_s"] = Dictionary(uniqueKeysWithValues: stages.map { ($0.0, (($0.1 * 1000).rounded()) / 1000) })
        root["stage_order"] = stages.map(\.0)
        let cpu = results.reduce(FamilyTimes()) { $0 + $1.cpuSeconds }
        func r3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        root["indicator_cpu_s"] = ["solar": r3(cpu.solar), "nature": r3(cpu.nature), "paved": r3(cpu.paved), "water": r3(cpu.water)]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func parametersJSON(_ p: Parameters) -> [String: Any] {
        [
            "solar": [
                "flat_max_slope_deg": p.solar.flatMaxSlopeDeg, "min_face_m2": p.solar.minFaceM2,
                "max_slope_deg": p.solar.maxSlopeDeg, "max_dev_from_south_deg": p.solar.maxDevFromSouthDeg,
                "kwp_per_m2": p.solar.kwpPerM2, "usable_fraction_flat": p.solar.usableFractionFlat,
                "usable_fraction_pitched": p.solar.usableFractionPitched,
                "specific_yield_kwh_per_kwp": p.solar.specificYieldKWhPerKWp,
                "yield_factors": [
                    "slopes_deg": p.solar.yieldFactors.slopesDeg,
                    "deviations_deg": p.solar.yieldFactors.deviationsDeg,
                    "factors": p.solar.yieldFactors.factors,
                ] as [String: Any],
            ] as [String: Any],
            "nature": ["bands_m": p.nature.bandsM],
            "water": [
                "min_depth_m": p.water.minDepthM, "deep_depth_m": p.water.deepDepthM,
                "design_storm_mm": p.water.designStormMM, "c_sealed": p.water.cSealed,
                "c_unsealed": p.water.cUnsealed, "storage_mm_per_sealed_m2": p.water.storageMMPerSealedM2,
            ],
        ]
    }
}
