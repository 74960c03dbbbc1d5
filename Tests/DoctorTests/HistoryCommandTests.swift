import Foundation
import Testing

/// The history store end to end: classify/watch/doctor record, `history` lists, escalation across
/// runs, --no-history, and a broken store never costs the verdict.
@Suite(.serialized)
struct HistoryCommandTests {
  static func scratch() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-history-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  static func log(banner: String) -> String {
    "===== Application Startup at \(banner) =====\n* Running on local URL:  http://0.0.0.0:7860\ngradio.exceptions.Error: 'ZeroGPU worker error'\n"
  }

  /// The binary with `arguments` (the catalog by path for classify/watch), `input` on standard input.
  static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> DoctorRunner.Result {
    let withCatalog = ["classify", "watch", "doctor", "fleet", "heal"].contains(arguments.first ?? "") ? arguments + DoctorRunner.catalogArguments : arguments
    guard let input else { return try DoctorRunner.run(withCatalog, environment: environment) }
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let inFile = folder.appendingPathComponent("stdin")
    let outFile = folder.appendingPathComponent("stdout")
    let errFile = folder.appendingPathComponent("stderr")
    try input.write(to: inFile, atomically: true, encoding: .utf8)
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    let process = Process()
    process.executableURL = DoctorRunner.binary
    process.arguments = withCatalog
    var env = ProcessInfo.processInfo.environment
    env["XDG_STATE_HOME"] = folder.path
    env["NO_COLOR"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardInput = try FileHandle(forReadingFrom: inFile)
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    try process.run()
    process.waitUntilExit()
    return DoctorRunner.Result(
      status: process.terminationStatus, stdout: String(decoding: (try? Data(contentsOf: outFile)) ?? Data(), as: UTF8.self),
      stderr: String(decoding: (try? Data(contentsOf: errFile)) ?? Data(), as: UTF8.self), seconds: 0)
  }

  @Test func theSameLogTwiceDoesNotEscalateANewAttemptDoes() throws {
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let history = folder.appendingPathComponent("h.sqlite").path
    let first = try Self.run(["classify", "--space-name", "acme/zero", "--history", history], input: Self.log(banner: "2026-11-30 10:05:00"))
    #expect(first.status == 75, "\(first.stdout)\(first.stderr)")
    let again = try Self.run(["classify", "--space-name", "acme/zero", "--history", history], input: Self.log(banner: "2026-11-30 10:05:00"))
    #expect(again.status == 75, "the same log read twice is not a recurrence: \(again.stdout)")
    // 40 minutes later, a new attempt (a restart) with the same error: persistent across runs.
    let later = folder.appendingPathComponent("later.log")
    try Self.log(banner: "2026-11-30 10:45:00").write(to: later, atomically: true, encoding: .utf8)
    let third = try Self.run(["classify", "--space-name", "acme/zero", "--history", history, later.path, "--format", "json"])
    #expect(third.status == 4, "\(third.stdout)\(third.stderr)")
    let report = try #require((third.json["reports"] as? [[String: Any]])?.first)
    #expect(report["verdict"] as? String == "persistent")
    #expect(report["escalated"] as? Bool == true)
    let actions = (report["advice"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
    #expect(actions.contains("stop-retrying") && actions.contains("inspect-pins-cuda-config"))
    // --no-history: none of it.
    let off = try Self.run(["classify", "--space-name", "acme/zero", "--no-history", later.path])
    #expect(off.status == 75)

    let listed = try Self.run(["history", "acme/zero", "--history", history, "--format", "json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.json["runs"] as? Int == 3)
    let ids = listed.json["ids"] as? [[String: Any]] ?? []
    #expect(ids.first?["id"] as? String == "zerogpu.worker-error")
    #expect(ids.first?["runs"] as? Int == 3)
    #expect(ids.first?["firstSeen"] is String && ids.first?["lastSeen"] is String)
    let text = try Self.run(["history", "acme/zero", "--history", history, "--since", "7d"])
    #expect(text.stdout.hasPrefix("3 run(s) of acme/zero"), "\(text.stdout)")
    #expect(text.stdout.contains("PERSISTENT zerogpu.worker-error (escalated)"))
    let none = try Self.run(["history", "acme/other", "--history", history])
    #expect(none.stdout.hasPrefix("no runs of acme/other recorded"))
    #expect(try Self.run(["history", "--history", history, "--since", "soon"]).status == 64)
  }

  @Test func aCorruptOrUnwritableHistoryStillPrintsTheVerdict() throws {
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let corrupt = folder.appendingPathComponent("corrupt.sqlite")
    try Data(repeating: 0x5A, count: 4096).write(to: corrupt)
    let log = folder.appendingPathComponent("a.log")
    try Self.log(banner: "2026-11-30 10:05:00").write(to: log, atomically: true, encoding: .utf8)
    let result = try Self.run(["classify", "--space-name", "acme/zero", "--history", corrupt.path, log.path])
    #expect(result.status == 75)
    #expect(result.stdout.hasPrefix("TRANSIENT"))
    #expect(result.stderr.contains("not a space-triage history database"))
    #expect(result.stderr.contains(corrupt.path))
    // A path that cannot be created (its folder is a file), as a read-only place would be.
    let unwritable = log.appendingPathComponent("h.sqlite").path
    let second = try Self.run(["classify", "--space-name", "acme/zero", "--history", unwritable, log.path])
    #expect(second.status == 75)
    #expect(second.stdout.hasPrefix("TRANSIENT"))
    #expect(second.stderr.contains("history \(unwritable)"))
    #expect(try Self.run(["history", "--history", corrupt.path]).status == 66)
  }

  @Test func twoProcessesWritingAtOnceBothSucceed() throws {
    let folder = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let log = folder.appendingPathComponent("a.log")
    try Self.log(banner: "2026-11-30 10:05:00").write(to: log, atomically: true, encoding: .utf8)
    // Several rounds on a new file each: the first writers also race to create the tables.
    for round in 0..<3 {
      let history = folder.appendingPathComponent("h\(round).sqlite").path
      let results = Results()
      let group = DispatchGroup()
      for index in 0..<4 {
        group.enter()
        Thread {
          defer { group.leave() }
          let result = try? Self.run(["classify", "--space-name", "acme/w\(index % 2)", "--history", history, log.path])
          results.add(result.map { "\($0.status) \($0.stderr)" } ?? "did not run")
        }.start()
      }
      group.wait()
      #expect(results.all.allSatisfy { $0 == "75 " }, "\(results.all)")
      let listed = try Self.run(["history", "--history", history, "--format", "json"])
      #expect(listed.json["runs"] as? Int == 4, "\(listed.stdout)")
    }
  }
}

final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func add(_ text: String) { lock.withLock { list.append(text) } }
  var all: [String] { lock.withLock { list } }
}

/// `doctor` and `watch --space` record their runs.
@Suite(.serialized)
struct HistoryRecordingTests {
  @Test func doctorAndWatchRecordTheirRuns() throws {
    let hub = try FakeHub(spaces: [HealCommandTests.hiccup("acme/hiccup", banner: "10:05:00")])
    defer { hub.stop() }
    let folder = try HistoryCommandTests.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let history = folder.appendingPathComponent("h.sqlite").path
    let environment = ["HF_ENDPOINT": hub.endpoint, "HF_TOKEN": FakeHub.validToken]
    for _ in 0..<2 {
      let doctor = try HistoryCommandTests.run(["doctor", "acme/hiccup", "--log-wait", "0.5", "--history", history], environment: environment)
      #expect(doctor.status == 75, "the same attempt read twice is not a recurrence: \(doctor.stdout)\(doctor.stderr)")
    }
    let watch = try HistoryCommandTests.run(["watch", "--space", "acme/hiccup", "--history", history, "--format", "json"], environment: environment)
    #expect(watch.status == 75, "\(watch.stdout)\(watch.stderr)")
    let none = try HistoryCommandTests.run(["doctor", "acme/hiccup", "--log-wait", "0.5", "--no-history"], environment: environment)
    #expect(none.status == 75)
    let listed = try HistoryCommandTests.run(["history", "acme/hiccup", "--history", history, "--format", "json"])
    #expect(listed.json["runs"] as? Int == 3, "\(listed.stdout)")
    let commands = (listed.json["recent"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String }
    #expect(commands.sorted() == ["doctor", "doctor", "watch"])
    #expect(try HistoryCommandTests.run(["watch", "--space", "acme/hiccup", "--space-name", "acme/x"], environment: environment).status == 64)
  }
}
