import TerreinGeometry

/// Terrein's own version, shared by the manifest (`terrein_version`) and `terrein --version`.
public let terreinVersion = "0.2.0"

/// What `terrein --version` prints: Terrein's version and those of the GEOS and PROJ
/// libraries it runs on (they decide geometry results, so bug reports need them).
public var terreinVersionLine: String {
    "terrein \(terreinVersion) (GEOS \(GEOSContext.version), PROJ \(projVersion))"
}
