/// Colour ramps for the report's map and charts: five classes each, colour-blind safe
/// sequential ramps (after ColorBrewer's YlOrBr, Purples, Blues and Reds).
public enum Palette {
    public static let solar = ["#fff3b8", "#fed976", "#fdae4a", "#f07c22", "#c64f0b"]
    public static let paved = ["#f2e5f4", "#d6b3dc", "#b57dc0", "#8c4d9b", "#5c266d"]
    public static let inundation = ["#e6f0f9", "#b3d1eb", "#6ca6d4", "#3274b2", "#10477d"]
    /// Near is dark: the first class is the nearest.
    public static let distance = ["#a3101a", "#d9362b", "#f36f50", "#f9ab8e", "#fde0d2"]
    public static let heat = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
}
