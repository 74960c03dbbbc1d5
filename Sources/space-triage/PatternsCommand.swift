import ArgumentParser
import Foundation
import SpaceTriage

/// `space-triage patterns …`: look at, test and export the catalog.
struct Patterns: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "patterns",
    abstract: "List, show, test, export the signature catalog, or suggest entries for it.",
    subcommands: [List.self, Show.self, Test.self, Export.self, Suggest.self])

  /// `patterns list`: one line per entry.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every entry: id, stage, class, priority, title.")
    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func run() throws {
      let catalog = try catalogOptions.loadCatalog()
      if format == .text {
        var out = ""
        for signature in catalog.signatures {
          out += signature.id.padding(toLength: max(40, signature.id.count + 1), withPad: " ", startingAt: 0)
          out += signature.stage.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
          out += signature.signatureClass.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
          out += String(signature.priority).padding(toLength: 4, withPad: " ", startingAt: 0)
          out += signature.title + "\n"
        }
        Output.write(out)
      } else {
        Output.write(JSONValue.array(catalog.signatures.map(Patterns.summary)).serialized() + "\n")
      }
    }
  }

  /// `patterns show ID`: one entry in full.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one entry with its pattern, advice and examples.")
    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Argument(help: "The entry's id, e.g. zerogpu.no-cuda-gpus.") var id: String

    func run() throws {
      let catalog = try catalogOptions.loadCatalog()
      guard let signature = catalog.signature(id: id) else {
        Output.error("no catalog entry with id `\(id)` (see `space-triage patterns list`)")
        throw ExitStatus.cannotOpen.exitCode
      }
      if format != .text {
        Output.write(Patterns.detail(signature).serialized() + "\n")
        return
      }
      var out = "\(signature.id): \(signature.title)\n"
      out += "  stage: \(signature.stage.rawValue)  class: \(signature.signatureClass.rawValue)  priority: \(signature.priority)"
      if signature.signatureClass == .info { out += "  effect: \(signature.effect.rawValue)" }
      out += "\n  pattern: \(signature.pattern)\(signature.caseless ? "  (caseless)" : "")\n"
      out += "  defined at: \(signature.location)\n"
      if let compiled = try? CompiledCatalog(Catalog(signatures: [signature])) {
        let literals = compiled.prefilter.literalsBySignature.first ?? []
        out +=
          literals.isEmpty
          ? "  prefilter: none (runs on every line)\n"
          : "  prefilter literals: " + literals.map { "`\($0)`" }.joined(separator: ", ") + "\n"
      }
      if !signature.advice.isEmpty {
        out += "  advice:\n"
        for (number, step) in signature.advice.enumerated() { out += "    \(number + 1). [\(step.action)] \(step.text)\n" }
      }
      out += "  must match:\n" + signature.mustMatch.map { "    \(TextReporter.safe($0.text))\n" }.joined()
      out += "  must not match:\n" + signature.mustNotMatch.map { "    \(TextReporter.safe($0.text))\n" }.joined()
      Output.write(out)
    }
  }

  /// `patterns test`: the catalog linter.
  struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "test",
      abstract: "Check the catalog: schema, sorting, every example, noise prefixes, shadowing.",
      discussion: "Exits 0 when every check passes, 65 otherwise (each problem named with file:line:column).")
    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: ArgumentHelp("Also check that no pattern hits PCRE2's match limit on these logs (files or folders).", valueName: "path"))
    var corpus: [String] = []

    func run() throws {
      let compiled = try catalogOptions.compiledCatalog(eagerly: true)
      let validator = CatalogValidator(catalog: compiled)
      let logs = InputFiles.expand(corpus.isEmpty ? [] : corpus).compactMap { input -> String? in
        if case .file(let path) = input { return path }
        return nil
      }
      let problems = validator.diagnostics() + (corpus.isEmpty ? [] : validator.runawayProblems(onLogs: logs))
      let prefilter = compiled.prefilter
      let shortest = prefilter.literalsBySignature.enumerated().flatMap { index, literals in
        literals.map { (compiled.signatures[index].id, $0) }
      }.min { $0.1.utf8.count < $1.1.utf8.count }
      if let (id, literal) = shortest {
        Output.write("prefilter: probes every \(prefilter.stride) bytes; shortest literal `\(literal)` (\(id)); literals of 8+ bytes keep it fast\n")
      }
      let unfiltered = compiled.prefilter.alwaysRun.map { compiled.signatures[$0].id }
      if !unfiltered.isEmpty {
        Output.write("note: no literal of \(LiteralExtractor.minimumLength)+ bytes, run on every line (slower): \(unfiltered.joined(separator: ", "))\n")
      }
      let examples = compiled.signatures.reduce(0) { $0 + $1.mustMatch.count + $1.mustNotMatch.count }
      for problem in problems { Output.error(problem.description) }
      let summary = "\(compiled.signatures.count) entries, \(examples) example lines: "
      if problems.isEmpty {
        Output.write(summary + "all checks pass\n")
      } else {
        Output.write(summary + "\(problems.count) problem(s)\n")
        throw ExitStatus.invalidCatalog.exitCode
      }
    }
  }

  /// `patterns export`: one regex a line for `rg -f` / `grep -P -f`.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Print every failure pattern, one regex a line, for rg -f or grep -P -f.",
      discussion: "Caseless entries are wrapped in (?i:…), scoped so that it cannot leak into the next line's pattern. --all includes stage markers and noise entries.")
    @OptionGroup var catalogOptions: CatalogOptions
    @Flag(help: "Include info entries (stage markers, noise).") var all = false
    @Option(help: "pcre (for rg -f and grep -P -f) or ere (best effort, for grep -E -f).")
    var dialect: ExportDialect = .pcre

    func run() throws {
      let catalog = try catalogOptions.loadCatalog()
      let lines = catalog.signatures.filter { all || $0.signatureClass.isFailure }.map { signature in
        PatternExport.export(signature, as: dialect.dialect)
      }
      Output.write(lines.map { $0 + "\n" }.joined())
    }
  }

  static func summary(_ signature: Signature) -> JSONValue {
    .object([
      ("id", .string(signature.id)), ("title", .string(signature.title)),
      ("stage", .string(signature.stage.rawValue)), ("class", .string(signature.signatureClass.rawValue)),
      ("priority", .int(signature.priority)),
    ])
  }

  static func detail(_ signature: Signature) -> JSONValue {
    guard case .object(var fields) = summary(signature) else { return .null }
    fields += [
      ("pattern", .string(signature.pattern)), ("caseless", .bool(signature.caseless)),
      ("effect", .string(signature.effect.rawValue)),
      ("advice", .array(signature.advice.map(JSONReporter.advice))),
      ("mustMatch", .array(signature.mustMatch.map { .string($0.text) })),
      ("mustNotMatch", .array(signature.mustNotMatch.map { .string($0.text) })),
      ("location", .string(signature.location.description)),
    ]
    return .object(fields)
  }
}

/// `--dialect` values of `patterns export`.
enum ExportDialect: String, ExpressibleByArgument, CaseIterable {
  case pcre, ere

  var dialect: PatternExport.Dialect { self == .pcre ? .pcre : .ere }
}
