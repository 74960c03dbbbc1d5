import ArgumentParser
import Dispatch
import Foundation
import SpaceHistory
import SpaceTriage
import SystemPackage

/// `space-triage watch [FILE] [--follow] [--space OWNER/NAME [--build]]`: live mode.
struct Watch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch",
    abstract: "Watch a live log: each stage change and finding as its line arrives, then the verdict.",
    discussion: """
      Reads standard input (hf spaces logs OWNER/NAME -f | space-triage watch), FILE (with \
      --follow, like tail -f: a truncated or replaced file is read again from its start), or \
      the Space logs API with --space OWNER/NAME ($HF_ENDPOINT, default https://huggingface.co; \
      Authorization: Bearer $HF_TOKEN when set; a dropped connection is retried 5 times).

      Each stage change and finding is printed the moment its line arrives; once something \
      fails, the verdict so far is printed and updated as the log moves on. No new line for \
      --stall seconds while building or starting up is reported as a stall. The final verdict \
      is printed at the end of input, on Ctrl-C (SIGINT) and on SIGTERM. With --format ndjson \
      every event is one JSON line: {"event": "stage"|"finding"|"provisional"|"stall-ended", …}, \
      the last one {"event": "verdict", "report": REPORT}.

      \(ExitStatus.helpText)
      """)

  @OptionGroup var catalogOptions: CatalogOptions
  @OptionGroup var formatOptions: FormatOptions
  @OptionGroup var historyOptions: HistoryOptions
  @OptionGroup var spaceNameOption: SpaceNameOption

  @Flag(help: "Keep reading FILE at its end, like tail -f, until Ctrl-C or SIGTERM.")
  var follow = false

  @Option(help: ArgumentHelp("Watch this Space's logs through the logs API.", valueName: "owner/name"))
  var space: String?

  @Flag(help: "With --space: the build log instead of the run (container) log.")
  var build = false

  @Option(help: ArgumentHelp("Report a stall after this many seconds without a new line while building or starting up (0: never).", valueName: "seconds"))
  var stall: Double = 600

  @Argument(help: ArgumentHelp("A log file; - or nothing for standard input.", valueName: "file"))
  var file: String?

  mutating func validate() throws {
    if formatOptions.format != .text && formatOptions.color == .always {
      throw ValidationError("--color always only applies to --format text; drop one of them.")
    }
    if follow && (file == nil || file == "-") {
      throw ValidationError("--follow needs a FILE to follow (standard input is read to its end anyway).")
    }
    if let space {
      if file != nil { throw ValidationError("--space reads the logs API; drop FILE.") }
      if follow { throw ValidationError("--space follows the stream already; drop --follow.") }
      if spaceNameOption.spaceName != nil { throw ValidationError("--space names the Space already; drop --space-name.") }
      guard Watch.isSpaceName(space) else {
        throw ValidationError("--space wants OWNER/NAME, e.g. --space gradio/hello_world (got `\(Redactor.standard.redact(space))`).")
      }
    } else if build {
      throw ValidationError("--build selects the build log of --space OWNER/NAME; add --space.")
    }
    guard stall.isFinite && stall >= 0 else { throw ValidationError("--stall wants a number of seconds, 0 or more.") }
  }

  func run() throws {
    let catalog = try catalogOptions.compiledCatalog()
    var (source, name) = try openSource()
    let attempts = AttemptIndex()
    if space != nil || spaceNameOption.spaceName != nil { source = IndexingSource(source, index: attempts) }
    let live = LiveTriage(
      catalog: catalog, source: name, stallAfter: stall > 0 ? .milliseconds(Int64((stall * 1000).rounded())) : nil)
    let printer = WatchPrinter(
      format: formatOptions.format, color: formatOptions.useColor, signatureCount: catalog.signatures.count)
    let tick = max(0.05, min(1, stall / 10))
    let session = WatchSession(live: live, printer: printer)
    if let recorded = space ?? spaceNameOption.spaceName {
      let history = historyOptions
      session.finalize = { history.record($0, space: recorded, command: "watch", attempts: attempts) }
    }
    session.run(source, tickEvery: tick)
  }

  /// The input to read and its name in reports.
  private func openSource() throws -> (any ByteSource, String) {
    if let space {
      let kind: SpaceLogKind = build ? .build : .run
      guard let request = SpaceLogsRequest.fromEnvironment(ProcessInfo.processInfo.environment, space: space, kind: kind) else {
        Output.error("HF_ENDPOINT must be an http(s) URL such as https://huggingface.co")
        throw ExitStatus.usage.exitCode
      }
      return (SpaceLogsClient(request: request), "\(space)/logs/\(kind.rawValue)")
    }
    guard let file, file != "-" else { return (FileDescriptorSource(.standardInput), "-") }
    do {
      if let status = try? FilePath(file).stat(), status.type == .directory {
        throw Errno.isDirectory
      }
      if follow { return (try FileFollower(path: FilePath(file)), file) }
      return (FileDescriptorSource(try FileDescriptor.open(FilePath(file), .readOnly)), file)
    } catch {
      Output.error("cannot open \(Redactor.standard.redact(file)): \(error)")
      throw ExitStatus.cannotOpen.exitCode
    }
  }

  /// `OWNER/NAME`: two non-empty parts of letters, digits, `-`, `_` and `.`.
  static func isSpaceName(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return false }
    return parts.allSatisfy { part in
      !part.isEmpty && part != "." && part != ".."
        && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }
  }
}

// MARK: - The running watch

/// Owns a running watch: a reader thread feeds lines in, a timer applies the stall rule, and
/// SIGINT / SIGTERM end it with the verdict.
///
/// Everything that touches `live` or writes output runs on `queue`, so events, the stall
/// rule and the final verdict never interleave. Reading happens on its own thread, so a read
/// blocked on a quiet pipe or socket never delays a signal or the stall rule.
private final class WatchSession: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `live`, `printer` and `finished` are used only on `queue`.
  private let queue = DispatchQueue(label: "space-triage.watch")
  private let live: LiveTriage
  private var printer: WatchPrinter
  private var finished = false
  /// Applied to the final report before it is printed (history: record, escalate across runs).
  var finalize: (Report) -> Report = { $0 }
  private var keepAlive: [any DispatchSourceProtocol] = []

  init(live: LiveTriage, printer: WatchPrinter) {
    self.live = live
    self.printer = printer
  }

  /// Watches `source` until it ends or a signal arrives, then exits with its status (docs/exit-status.md).
  func run<Source: ByteSource>(_ source: Source, tickEvery interval: Double) -> Never {
    live.onEvent = { [unowned self] event in self.printer.print(event, source: self.live.source) }
    // Dispatch installs a signal source on its own thread, some time after `resume()`; a signal
    // that came before, while ignored, would be lost and the watch would never end. So nothing
    // is read (and nothing printed) until both sources are in place.
    let registered = DispatchSemaphore(value: 0)
    for number in [SIGINT, SIGTERM] {
      // The default action would kill the process before the verdict is printed.
      signal(number, SIG_IGN)
      let signalSource = DispatchSource.makeSignalSource(signal: number, queue: queue)
      signalSource.setEventHandler { [unowned self] in self.finish(bytesRead: nil, error: nil) }
      signalSource.setRegistrationHandler { registered.signal() }
      signalSource.resume()
      keepAlive.append(signalSource)
    }
    registered.wait()
    registered.wait()
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
    timer.setEventHandler { [unowned self] in self.live.tick() }
    timer.resume()
    keepAlive.append(timer)

    let work = ReaderWork { [unowned self] in self.read(source) }
    let reader = Thread { work.body() }
    reader.name = "space-triage.watch.reader"
    reader.start()
    dispatchMain()
  }

  /// The reader thread: every line goes to `live` on the queue as soon as it is complete.
  private func read<Source: ByteSource>(_ source: Source) {
    var reader = LineReader(source)
    do {
      try reader.forEachLine { line in
        queue.sync { live.observe(line) }
        return true
      }
      let bytes = reader.bytesRead
      queue.sync { finish(bytesRead: bytes, error: nil) }
    } catch let error as SpaceLogsError {
      queue.sync { finish(bytesRead: nil, error: error) }
    } catch {
      let failure = SpaceLogsError(.network, message: "read error: \(error)")
      queue.sync { finish(bytesRead: nil, error: failure) }
    }
  }

  /// Prints the verdict (or the error) and exits. Runs on `queue`.
  ///
  /// Exits with `_exit`: every byte was already written with write(2) (``Output``), and
  /// `exit`'s atexit handlers and static destructors need not run beside the live reader and
  /// dispatch threads.
  private func finish(bytesRead: Int?, error: SpaceLogsError?) {
    guard !finished else { return }
    finished = true
    if let error {
      switch error.kind {
      case .notAuthorised:
        Output.error(error.message)
        _exit(ExitStatus.notAuthorised.rawValue)
      case .notFound:
        Output.error(error.message)
        _exit(ExitStatus.cannotOpen.rawValue)
      case .network:
        // What was read so far still gets its verdict; the status says the input broke off.
        if live.lineCount > 0 { printer.printFinal(live.finish(bytesRead: bytesRead)) }
        Output.error(error.message)
        _exit(ExitStatus.ioError.rawValue)
      }
    }
    let report = finalize(live.finish(bytesRead: bytesRead))
    printer.printFinal(report)
    _exit(ExitStatus(report.verdict).rawValue)
  }
}

/// Hands the reading (and with it the source) to the reader thread, its only user from then on.
private final class ReaderWork: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): set once here, then called only by the reader thread.
  let body: () -> Void
  init(_ body: @escaping () -> Void) { self.body = body }
}

// MARK: - Output

/// Renders live events: one short line each (text), or one JSON object a line (ndjson).
private struct WatchPrinter {
  var format: OutputFormat
  var color: Bool
  var signatureCount: Int
  private var printedEvents = false

  init(format: OutputFormat, color: Bool, signatureCount: Int) {
    self.format = format
    self.color = color
    self.signatureCount = signatureCount
  }

  /// Writes one event at once (one `write(2)`, so it is visible downstream immediately).
  mutating func print(_ event: LiveTriage.Event, source: String) {
    switch format {
    case .json:
      return  // one document at the end
    case .ndjson:
      write(WatchEventJSON.event(event, source: source).serialized() + "\n")
    case .text:
      write(text(event) + "\n")
    }
    printedEvents = true
  }

  /// Writes the final verdict: the whole report.
  func printFinal(_ report: Report) {
    switch format {
    case .json:
      let document = JSONReporter.document(
        reports: [report], catalogVersion: Catalog.schemaVersion, signatureCount: signatureCount)
      write(document.serialized() + "\n")
    case .ndjson:
      write(WatchEventJSON.verdict(report).serialized() + "\n")
    case .text:
      write((printedEvents ? "\n" : "") + TextReporter(color: color).render(report))
    }
  }

  /// Writes on the watch queue; a closed output (EPIPE) ends the watch at once with status 74,
  /// with `_exit` as in ``WatchSession``'s finish: not `exit`, whose handlers would run beside
  /// the live reader and dispatch threads.
  private func write(_ text: String) {
    if !Output.tryWrite(text) { _exit(ExitStatus.ioError.rawValue) }
  }

  private func text(_ event: LiveTriage.Event) -> String {
    switch event {
    case .stage(let mark, let attempt):
      return "line \(mark.line): stage \(mark.stage.rawValue)" + (attempt > 1 ? " (attempt \(attempt))" : "")
    case .finding(let finding):
      return "line \(finding.line): \(paint(finding.signatureClass.rawValue, classColor(finding.signatureClass))) "
        + "\(finding.id): \(TextReporter.safe(finding.title))"
    case .provisional(let report):
      var line = "  so far: \(paint(report.verdict.rawValue.uppercased(), verdictColor(report.verdict)))"
      if let primary = report.primary { line += " \(primary)" }
      if let stage = report.finalStage { line += " at stage \(stage.rawValue)" }
      if report.escalated { line += " (escalated: it came back after a restart)" }
      if let next = report.advice.first { line += "; next: \(TextReporter.safe(next.text))" }
      return line
    case .stallEnded(let finding):
      return "  the log moved on: \(finding.id) withdrawn"
    }
  }

  private func classColor(_ signatureClass: SignatureClass) -> String {
    switch signatureClass {
    case .transient: "33"
    case .persistent: "31"
    case .failure: "35"
    case .info: "2"
    }
  }

  private func verdictColor(_ verdict: Verdict) -> String { TextReporter.verdictColor(verdict) }

  private func paint(_ text: String, _ code: String) -> String { TextReporter(color: color).paint(text, code) }
}
