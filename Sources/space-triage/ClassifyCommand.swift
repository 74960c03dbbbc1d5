import ArgumentParser
import Foundation
import SpaceTriage

/// `space-triage classify [PATH…]`: one report per input.
struct Classify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Classify Space logs: one report per input, then the verdict as exit status.",
    discussion: """
      Each PATH is a file, a folder (searched recursively for *.log, *.txt, *.out, *.sse, *.jsonl \
      and *.ndjson files) or - for standard input; with no PATH, standard input is read. Lines may \
      be plain log text, server-sent events (data: {"data": …}) or JSON lines.

      \(ExitStatus.helpText)
      """)

  @OptionGroup var catalogOptions: CatalogOptions
  @OptionGroup var formatOptions: FormatOptions
  @OptionGroup var historyOptions: HistoryOptions
  @OptionGroup var spaceNameOption: SpaceNameOption

  @Option(
    name: .shortAndLong,
    help: "Threads: inputs classified in parallel, or parts of one file of 8 MiB or more (default: the number of cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Argument(help: ArgumentHelp("Log files or folders; - or nothing for standard input.", valueName: "path"))
  var paths: [String] = []

  mutating func validate() throws {
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
    if spaceNameOption.spaceName != nil && paths.count > 1 { throw ValidationError("--space-name names the Space of one input; give one PATH (or standard input).") }
    if formatOptions.format != .text && formatOptions.color == .always {
      throw ValidationError("--color always only applies to --format text; drop one of them.")
    }
  }

  func run() throws {
    let catalog = try catalogOptions.compiledCatalog()
    let inputs = InputFiles.expand(paths)
    let text = TextReporter(color: formatOptions.useColor)
    // Reports are written as they come and only counted: memory does not grow with the inputs.
    var tally = ReportTally()
    var worst: ExitStatus?
    var inputFailure: ExitStatus?
    if formatOptions.format == .json {
      Output.write(JSONReporter.documentStart(catalogVersion: Catalog.schemaVersion, signatureCount: catalog.signatures.count))
    }
    // A piped log of a named Space is read whole first: the history needs its attempts' banners.
    var piped: [UInt8]?
    if spaceNameOption.spaceName != nil, inputs.count == 1, case .standardInput = inputs[0] {
      piped = Classify.readStandardInput()
    }
    func deliver(_ input: InputFiles.Input, _ result: Result<Report, InputError>) {
      switch result {
      case .failure(let error):
        Output.error("cannot read \(error)")
        inputFailure = error.kind == .cannotOpen && inputFailure != .ioError ? .cannotOpen : .ioError
      case .success(var report):
        if let space = spaceNameOption.spaceName {
          report = historyOptions.record(report, space: space, command: "classify", attempts: Classify.attempts(of: input, piped: piped))
        }
        let status = ExitStatus(report.verdict)
        if worst.map({ Verdict(status: $0).severity < report.verdict.severity }) ?? true { worst = status }
        switch formatOptions.format {
        case .text: Output.write((tally.inputs == 0 ? "" : "\n") + text.render(report))
        case .ndjson: Output.write(JSONReporter.report(report).serialized() + "\n")
        case .json: Output.write((tally.inputs == 0 ? "" : ",") + JSONReporter.report(report).serialized())
        }
        tally.add(report)
      }
    }
    if let piped {
      let classifier = Classifier(catalog: catalog)
      deliver(inputs[0], .success((try? classifier.classify(MemorySource(piped), name: "-")) ?? classifier.classify(text: "", name: "-")))
    } else {
      BatchClassifier(catalog: catalog).run(inputs, jobs: jobs, deliver: deliver)
    }
    switch formatOptions.format {
    case .text where tally.inputs > 1: Output.write("\n" + text.summary(tally))
    case .json: Output.write(JSONReporter.documentEnd(tally) + "\n")
    default: break
    }
    if let inputFailure { throw inputFailure.exitCode }
    throw (worst ?? .unknown).exitCode
  }
}

extension Verdict {
  /// The verdict an exit status stands for.
  init(status: ExitStatus) {
    switch status {
    case .healthy: self = .healthy
    case .transient: self = .transient
    case .persistent: self = .persistent
    default: self = .unknown
    }
  }
}
