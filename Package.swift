// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Terrein",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "terrein", targets: ["terrein"]),
        .library(name: "TerreinCore", targets: ["TerreinCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries from Debian: libgeos-dev, libproj-dev.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos",
                       providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj",
                       providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal",
                       providers: [.apt(["libgdal-dev"])]),
        // Small C shims for what Glibc's Swift overlay does not expose (renameat2, signals).
        .target(name: "CTerreinSupport"),
        // The Swift face of GEOS and PROJ: owned handles, one context per thread.
        .target(name: "TerreinGeometry", dependencies: ["CGEOS", "CPROJ"]),
        // The byte-level JSON scanner and JSON values. A class used by one thread at a time:
        // dynamic exclusivity checks on its buffer position cost 25% of reading time (perf,
        // scale M), so this target alone is compiled without them.
        .target(name: "TerreinJSON", swiftSettings: [
            .unsafeFlags(["-enforce-exclusivity=unchecked"]),
        ]),
        // The Swift face of GDAL: rasters read window by window, GeoTIFFs written. No GDAL
        // pointer leaves this target.
        .target(name: "TerreinGDAL", dependencies: ["CGDAL", "TerreinGeometry"]),
        // Readers and writers: GeoJSON, CSV, GeoPackage, the indicator schema, report, atomic output.
        .target(name: "TerreinIO", dependencies: [
            "TerreinGeometry", "TerreinJSON", "CTerreinSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Pipeline model, layers, indicator families, regions, run orchestration.
        .target(name: "TerreinCore", dependencies: [
            "TerreinGeometry", "TerreinIO", "TerreinJSON", "TerreinGDAL", "CTerreinSupport",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // CityJSON (3DBAG-style LoD2) -> 2D roof faces with slope and azimuth. Foundation only.
        .target(name: "TerreinCityJSON"),
        // Seeded generators: the SampleGIS sample and national-scale benchmark data. Foundation only.
        .target(name: "TerreinSynth"),
        .executableTarget(name: "terrein", dependencies: [
            "TerreinCore", "TerreinJSON", "TerreinGDAL", "TerreinCityJSON", "TerreinSynth",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Reading speed of the GeoJSON reader against Foundation (bench/README.md).
        .executableTarget(name: "terrein-json-bench", dependencies: ["TerreinIO", "TerreinJSON"]),
        .testTarget(name: "TerreinTests", dependencies: ["TerreinCore", "TerreinGeometry", "TerreinIO", "TerreinJSON", "TerreinGDAL",
                                                    .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),  // read from the source tree by path
        .testTarget(name: "TerreinIOOutputTests", dependencies: ["TerreinIO", "TerreinGeometry", "TerreinCore"]),
        .testTarget(name: "TerreinCityJSONTests", dependencies: ["TerreinCityJSON"]),
        .testTarget(name: "TerreinSynthTests", dependencies: ["TerreinSynth"]),
    ],
    swiftLanguageModes: [.v6]
)
