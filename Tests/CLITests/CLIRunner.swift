import Foundation

/// Runs the built `space-triage` binary and captures what it prints.
struct CLIRunner {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The binary next to the test bundle (`swift test` builds every product; the test target does not link it, see Package.swift).
  static var binary: URL {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDirectory, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
      let url = candidate.appendingPathComponent("space-triage")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/space-triage")
  }

  /// The package root, found from this file's path.
  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// Runs `space-triage arguments…` with `input` on standard input.
  static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> Result {
    try run(arguments, inputBytes: Array(input.utf8), environment: environment)
  }

  static func run(_ arguments: [String], inputBytes: [UInt8], environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    var env = ProcessInfo.processInfo.environment
    // The history store of these runs: never the user's own.
    env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("space-triage-test-state-\(ProcessInfo.processInfo.processIdentifier)").path
    env["NO_COLOR"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    // Standard input and error go through temporary files: no pipe can fill up and block.
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("st-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inputFile = scratch.appendingPathComponent("stdin")
    let errorFile = scratch.appendingPathComponent("stderr")
    try Data(inputBytes).write(to: inputFile)
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    let stdout = Pipe()
    process.standardInput = try FileHandle(forReadingFrom: inputFile)
    process.standardOutput = stdout
    process.standardError = try FileHandle(forWritingTo: errorFile)
    try process.run()
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = (try? Data(contentsOf: errorFile)) ?? Data()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Writes `yaml` as `user.yaml` in a fresh folder, runs `body` with the folder's path (for
  /// `--patterns`), then removes the folder.
  static func withUserCatalog(_ yaml: String, _ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-cat-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try yaml.write(to: directory.appendingPathComponent("user.yaml"), atomically: true, encoding: .utf8)
    try body(directory.path)
  }
}
