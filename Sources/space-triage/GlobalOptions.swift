import ArgumentParser
import Foundation
import PatternCatalog
import SpaceTriage

/// Output format of reports.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, ndjson
}

/// When to colour text output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
  case auto, always, never
}

/// Options every command that reads the catalog shares.
struct CatalogOptions: ParsableArguments {
  @Option(
    name: .customLong("patterns"),
    help: ArgumentHelp("A folder of extra catalog *.yaml files (repeatable); an entry with the id of a bundled one replaces it.", valueName: "dir"))
  var patternDirectories: [String] = []

  @Flag(name: .customLong("no-builtin"), help: "Do not load the bundled catalog.")
  var noBuiltin = false

  mutating func validate() throws {
    if noBuiltin && patternDirectories.isEmpty {
      throw ValidationError("--no-builtin leaves no catalog; add --patterns DIR.")
    }
  }

  /// Loads the catalog, or prints the diagnostics and exits 65. The bundled entries come from
  /// the snapshot compiled in (no YAML parsing); `--patterns` folders are read as YAML.
  func loadCatalog() throws -> Catalog {
    var catalog = noBuiltin ? Catalog() : PatternCatalog.bundled
    do {
      if !patternDirectories.isEmpty {
        catalog.overlay(try Catalog.load(directories: patternDirectories.map { URL(fileURLWithPath: $0) }))
      }
      return catalog
    } catch let diagnostics as CatalogDiagnostics {
      Output.error("invalid catalog:\n\(diagnostics)")
      throw ExitStatus.invalidCatalog.exitCode
    }
  }

  /// Loads and compiles the catalog, or prints the diagnostics and exits 65. Bundled patterns
  /// are compiled on first use unless `eagerly`.
  func compiledCatalog(eagerly: Bool = false) throws -> CompiledCatalog {
    let catalog = try loadCatalog()
    do {
      return try CompiledCatalog(catalog, compilingEagerly: eagerly)
    } catch {
      Output.error("invalid catalog:\n\(error)")
      throw ExitStatus.invalidCatalog.exitCode
    }
  }
}

/// Options about how results are printed.
struct FormatOptions: ParsableArguments {
  @Option(help: "Output format: text, json or ndjson.")
  var format: OutputFormat = .text

  @Option(help: "Colour the text output: auto, always or never (NO_COLOR is honoured).")
  var color: ColorChoice = .auto

  /// Whether text output gets colour.
  var useColor: Bool {
    switch color {
    case .always: return true
    case .never: return false
    case .auto:
      let environment = ProcessInfo.processInfo.environment
      if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
      if environment["TERM"] == "dumb" { return false }
      return Output.isTerminal
    }
  }
}
