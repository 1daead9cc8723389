/// Terrein's own version, as `terrein --version` and the manifest print it.
public enum TerreinVersion {
    public static let current = "0.2.0"
}
