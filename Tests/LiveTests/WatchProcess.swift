import Foundation

/// The built `space-triage` binary, run with a live standard input: the test writes lines
/// when it wants and reads what has been printed so far.
final class WatchProcess: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `output` and `errors` are guarded by `lock`; the process
  // and pipes are set once in init.
  private let process = Process()
  private let input = Pipe()
  private let outputPipe = Pipe()
  private let errorPipe = Pipe()
  private let lock = NSLock()
  private var output = Data()
  private var errors = Data()
  private let finished = DispatchSemaphore(value: 0)
  private let drained = DispatchSemaphore(value: 0)

  /// The binary next to the test bundle (`swift test` builds every product; the test target does not link it, see Package.swift).
  static var binary: URL {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDirectory, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
      let url = candidate.appendingPathComponent("space-triage")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/space-triage")
  }

  /// Starts `space-triage arguments…`.
  init(_ arguments: [String], environment: [String: String] = [:]) throws {
    process.executableURL = WatchProcess.binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    // The history store of these runs: never the user's own.
    env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("space-triage-test-state-\(ProcessInfo.processInfo.processIdentifier)").path
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "HF_TOKEN")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardInput = input
    process.standardOutput = outputPipe
    process.standardError = errorPipe
    drain(outputPipe, isError: false)
    drain(errorPipe, isError: true)
    process.terminationHandler = { [finished] _ in finished.signal() }
    try process.run()
  }

  /// Reads `pipe` to its end on a thread of its own, appending to `output` or `errors`.
  private func drain(_ pipe: Pipe, isError: Bool) {
    let handle = pipe.fileHandleForReading
    let thread = Thread { [self] in
      while true {
        let data = handle.availableData
        if data.isEmpty { break }
        lock.withLock {
          if isError { errors.append(data) } else { output.append(data) }
        }
      }
      drained.signal()
    }
    thread.start()
  }

  /// What the process printed on standard output so far.
  var stdout: String { lock.withLock { String(decoding: output, as: UTF8.self) } }
  /// What the process printed on standard error so far.
  var stderr: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }
  /// Whether the process is still running.
  var isRunning: Bool { process.isRunning }

  /// Writes `text` to the process's standard input (and nothing more: the input stays open).
  func write(_ text: String) {
    input.fileHandleForWriting.write(Data(text.utf8))
  }

  /// Ends the process's standard input.
  func closeInput() {
    try? input.fileHandleForWriting.close()
  }

  /// Sends SIGINT (what Ctrl-C does).
  func interrupt() { process.interrupt() }

  /// Sends SIGTERM.
  func terminate() { process.terminate() }

  /// Waits until standard output satisfies `condition`; `false` if the process ended or
  /// `timeout` (a hang guard, not a speed requirement) passed first.
  func waitForOutput(timeout: TimeInterval = 60, _ condition: (String) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if condition(stdout) { return true }
      if !process.isRunning {
        Thread.sleep(forTimeInterval: 0.05)
        return condition(stdout)
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
    return false
  }

  /// Waits for the process to end (at most `timeout`, then kills it) and returns its status.
  func waitForExit(timeout: TimeInterval = 60) -> Int32 {
    if finished.wait(timeout: .now() + timeout) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      finished.wait()
    }
    // The readers end at end of file, once the process and its children closed the pipes.
    for _ in 0..<2 { _ = drained.wait(timeout: .now() + 10) }
    return process.terminationStatus
  }

  /// Standard output's lines parsed as JSON objects (ndjson).
  var events: [[String: Any]] {
    stdout.split(separator: "\n").compactMap { line in
      try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
  }
}
