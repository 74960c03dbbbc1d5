import ArgumentParser
import Foundation
import SpaceHistory
import SpaceTriage

/// `--history PATH` / `--no-history`: where runs are remembered.
struct HistoryOptions: ParsableArguments {
  @Option(
    name: .customLong("history"),
    help: ArgumentHelp("The history database (default $XDG_STATE_HOME/space-triage/history.sqlite, else ~/.local/state/…).", valueName: "path"))
  var historyPath: String?
  @Flag(name: .customLong("no-history"), help: "Do not read or record the history of runs.")
  var noHistory = false

  mutating func validate() throws {
    if noHistory && historyPath != nil { throw ValidationError("--no-history and --history contradict each other; drop one.") }
  }

  /// The path of the store, or `nil` with `--no-history`.
  var path: String? {
    if noHistory { return nil }
    return historyPath ?? HistoryStore.defaultPath(environment: ProcessInfo.processInfo.environment)
  }

  /// The store, or `nil` (with `--no-history`, or when it cannot be used: then the error is
  /// printed and the run goes on without it).
  func open() -> HistoryStore? {
    guard let path else { return nil }
    do {
      return try HistoryStore(path: path)
    } catch {
      HistoryOptions.warn(error)
      return nil
    }
  }

  /// Tells the user the store failed; the verdict is printed anyway.
  static func warn(_ error: any Error) {
    Output.error("\(Redactor.standard.redact("\(error)")) (this run is not recorded and not compared with earlier runs; its verdict stands; --no-history skips the store)")
  }

  /// Records `report` for `space` and returns it escalated across runs when it should be; on a
  /// store error, warns and returns `report` unchanged.
  func record(_ report: Report, space: String, command: String, attempts: AttemptIndex?, now: Date = HistoryOptions.now()) -> Report {
    guard let store = open() else { return report }
    do {
      return try store.record(report, space: space, command: command, attempts: attempts, now: now).0
    } catch {
      HistoryOptions.warn(error)
      return report
    }
  }

  /// The current time; `SPACE_TRIAGE_NOW` (seconds since 1970) replaces it in tests.
  static func now() -> Date {
    if let text = ProcessInfo.processInfo.environment["SPACE_TRIAGE_NOW"], let seconds = Double(text) {
      return Date(timeIntervalSince1970: seconds)
    }
    return Date()
  }
}

/// `--space-name OWNER/NAME`: which Space a piped log came from (so the run is recorded).
struct SpaceNameOption: ParsableArguments {
  @Option(
    name: .customLong("space-name"),
    help: ArgumentHelp("The Space (OWNER/NAME) the input comes from: the run is recorded in the history under it.", valueName: "owner/name"))
  var spaceName: String?

  mutating func validate() throws {
    if let spaceName, !Watch.isSpaceName(spaceName) {
      throw ValidationError("--space-name wants OWNER/NAME, e.g. --space-name gradio/hello_world (got `\(Redactor.standard.redact(spaceName))`).")
    }
  }
}

extension Classify {
  /// The attempts of an input recorded under `--space-name`: the piped bytes, or the file read again.
  static func attempts(of input: InputFiles.Input, piped: [UInt8]?) -> AttemptIndex? {
    if let piped { return AttemptIndex(bytes: piped) }
    guard case .file(let path) = input, let data = FileManager.default.contents(atPath: path) else { return nil }
    return AttemptIndex(bytes: Array(data))
  }
}

extension Classify {
  /// Every byte of standard input.
  static func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      bytes += chunk[0..<count]
    }
    return bytes
  }
}
