import CTerreinSupport

// The command line: one ArgumentParser command per file (Terrein.swift is the root),
// errors mapped to exit codes in Guarded.swift.
terrein_ignore_sigxfsz()
terrein_ignore_sigpipe()
Terrein.main()
