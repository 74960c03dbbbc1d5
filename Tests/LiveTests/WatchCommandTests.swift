import Foundation
import Testing

/// `space-triage watch` end to end: the built binary on a live pipe, with signals, and against
/// the logs API on loopback.
@Suite(.serialized)
struct WatchCommandTests {
  static let watchNDJSON = ["watch", "--format", "ndjson"] + LiveFixtures.catalogArguments

  private func eventNames(_ process: WatchProcess) -> [String] {
    process.events.compactMap { $0["event"] as? String }
  }

  private func hasFinding(_ id: String) -> (String) -> Bool {
    { output in output.contains(#""event":"finding""#) && output.contains(#""id":"\#(id)""#) }
  }

  @Test func aFindingIsReportedBeforeTheInputEnds() throws {
    let watch = try WatchProcess(Self.watchNDJSON)
    watch.write("===== Application Startup at 2026-04-15 10:00:00 =====\n")
    watch.write("* Running on local URL:  http://0.0.0.0:7860\n")
    watch.write("RuntimeError: No CUDA GPUs are available\n")
    // The input is still open: the finding and the verdict so far must come out now.
    #expect(watch.waitForOutput { $0.contains(#""event":"provisional""#) }, "\(watch.stdout)\(watch.stderr)")
    #expect(hasFinding("zerogpu.no-cuda-gpus")(watch.stdout))
    #expect(watch.isRunning)
    #expect(eventNames(watch) == ["stage", "stage", "finding", "provisional"])
    #expect(!watch.stdout.contains(#""event":"verdict""#))

    watch.closeInput()
    #expect(watch.waitForExit() == 75, "\(watch.stderr)")
    let events = watch.events
    #expect(events.last?["event"] as? String == "verdict")
    #expect(events.last?["verdict"] as? String == "transient")
    let report = try #require(events.last?["report"] as? [String: Any])
    #expect(report["primary"] as? String == "zerogpu.no-cuda-gpus")
    #expect(report["lines"] as? Int == 3)
  }

  /// `space-triage watch --format ndjson --stall 0` on the test catalog, its three standard
  /// streams on pipes, started.
  private static func startNDJSONWatch(
    environment: [String: String]? = nil
  ) throws -> (process: Process, input: Pipe, output: Pipe, errors: Pipe) {
    let process = Process()
    process.executableURL = WatchProcess.binary
    process.arguments = ["watch", "--format", "ndjson", "--stall", "0"] + LiveFixtures.catalogArguments
    if let environment { process.environment = environment }
    let (input, output, errors) = (Pipe(), Pipe(), Pipe())
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    return (process, input, output, errors)
  }

  /// `… | space-triage watch | head -c 1`: once the reader of its output is gone, the watch
  /// ends at once with 74 (from its queue, with `_exit`), quietly, while its input is still open.
  @Test func closedOutputEndsTheWatchWith74() throws {
    let (process, input, output, errors) = try Self.startNDJSONWatch()
    try output.fileHandleForReading.close()
    // One write, before the watch can have ended (it needs input to write anything); the input
    // then stays open.
    let lines =
      ["===== Application Startup at 2026-04-15 10:00:00 ====="]
      + Array(repeating: ["RuntimeError: No CUDA GPUs are available", "Scheduling failure: not enough hardware capacity"], count: 200).flatMap { $0 }
    input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    let ended = !process.isRunning
    if !ended { process.terminate() }
    process.waitUntilExit()
    try input.fileHandleForWriting.close()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(ended, "the watch went on writing to a closed pipe")
    #expect(process.terminationStatus == 74, "\(stderr)")
    #expect(!stderr.contains("Fatal error") && !stderr.contains("Stack dump"), "\(stderr)")
  }

  /// `… | space-triage watch | head -n 3`: the reader of the output goes away *while* events
  /// are being written and the input keeps flowing (a new attempt, so new events, every few
  /// lines). The write that fails is an event's, on the watch queue, beside the live reader
  /// thread and the timer; the watch must end at once with 74, quietly, without a crash and
  /// without waiting for its input to end (which here it never does).
  ///
  /// And it must end with `_exit`, not `exit`, whose handlers and shared-object destructors
  /// would run beside those live threads. The status cannot tell the two apart, so the test asks
  /// the dynamic loader: with `LD_DEBUG=files` it logs `calling fini: …` for each library whose
  /// destructors `exit` runs, and nothing for `_exit` (a binary linked statically logs no
  /// `calling init` either; then only the status is checked).
  @Test func outputClosedMidStreamEndsTheWatchWith74() throws {
    // The test writes to the watch's input after the watch may have ended: a failed write must
    // be an error here, not a SIGPIPE that kills the test runner.
    signal(SIGPIPE, SIG_IGN)
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_STATE_HOME"] =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("space-triage-test-state-\(ProcessInfo.processInfo.processIdentifier)").path
    let loaderLog = FileManager.default.temporaryDirectory
      .appendingPathComponent("space-triage-test-ld-\(ProcessInfo.processInfo.processIdentifier)").path
    environment["LD_DEBUG"] = "files"
    environment["LD_DEBUG_OUTPUT"] = loaderLog
    let (process, input, output, errors) = try Self.startNDJSONWatch(environment: environment)
    // The loader writes to LD_DEBUG_OUTPUT.PID.
    let loaderLogFile = "\(loaderLog).\(process.processIdentifier)"
    defer { try? FileManager.default.removeItem(atPath: loaderLogFile) }
    let attempt = Array(
      (["===== Application Startup at 2026-04-15 10:00:00 =====", "RuntimeError: No CUDA GPUs are available"]
        .joined(separator: "\n") + "\n").utf8)
    let inputDescriptor = input.fileHandleForWriting.fileDescriptor
    func feed() -> Bool { attempt.withUnsafeBytes { write(inputDescriptor, $0.baseAddress, $0.count) } == attempt.count }

    // The watch is running and printing: read its first events, as `head` would.
    var printed: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    let outputDescriptor = output.fileHandleForReading.fileDescriptor
    while printed.filter({ $0 == 0x0A }).count < 3 {
      #expect(feed())
      let count = buffer.withUnsafeMutableBytes { read(outputDescriptor, $0.baseAddress, $0.count) }
      if count <= 0 { break }
      printed += buffer[0..<count]
    }
    #expect(String(decoding: printed, as: UTF8.self).contains(#""event":"stage""#))
    // The reader goes away; the input goes on, so the watch has more events to write.
    try output.fileHandleForReading.close()
    let deadline = Date().addingTimeInterval(20)
    var fed = 0
    while process.isRunning && Date() < deadline {
      if feed() { fed += 1 }
      Thread.sleep(forTimeInterval: 0.005)
    }
    let ended = !process.isRunning
    if !ended { process.terminate() }
    process.waitUntilExit()
    try input.fileHandleForWriting.close()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(ended, "the watch went on after its output closed (\(fed) attempts fed)")
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 74, "\(stderr)")
    #expect(!stderr.contains("Fatal error") && !stderr.contains("Stack dump"), "\(stderr)")
    let loader = (try? String(contentsOfFile: loaderLogFile, encoding: .utf8)) ?? ""
    if loader.contains("calling init") {
      let fini = loader.split(separator: "\n").filter { $0.contains("calling fini") }
      #expect(fini.count == 0, "the watch ended with exit(), not _exit(): \(fini.prefix(3))")
    }
  }

  @Test func interruptPrintsTheVerdict() throws {
    let watch = try WatchProcess(Self.watchNDJSON)
    watch.write("===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====\n")
    watch.write("ERROR: No matching distribution found for torch==2.9.9\n")
    #expect(watch.waitForOutput(hasFinding("build.pip-no-matching-distribution")), "\(watch.stdout)\(watch.stderr)")
    watch.interrupt()
    #expect(watch.waitForExit() == 4, "\(watch.stderr)")
    let last = try #require(watch.events.last)
    #expect(last["event"] as? String == "verdict")
    #expect(last["verdict"] as? String == "persistent")
    watch.closeInput()
  }

  @Test func terminatePrintsTheVerdictAsText() throws {
    let watch = try WatchProcess(["watch"] + LiveFixtures.catalogArguments)
    watch.write("===== Application Startup at 2026-04-15 10:00:00 =====\n")
    watch.write("Scheduling failure: not enough hardware capacity\n")
    #expect(watch.waitForOutput { $0.contains("so far: TRANSIENT") }, "\(watch.stdout)\(watch.stderr)")
    #expect(watch.stdout.contains("line 2: transient scheduling.no-capacity: No hardware capacity"))
    watch.terminate()
    #expect(watch.waitForExit() == 75, "\(watch.stderr)")
    #expect(watch.stdout.contains("\nTRANSIENT  - at stage scheduling"), "\(watch.stdout)")
    #expect(watch.stdout.contains("next steps:"))
    watch.closeInput()
  }

  @Test func aQuietStartupIsReportedAsAStall() throws {
    let watch = try WatchProcess(Self.watchNDJSON + ["--stall", "0.3"])
    watch.write("===== Application Startup at 2026-04-15 10:00:00 =====\n")
    watch.write("Downloading weights\n")
    #expect(watch.waitForOutput(hasFinding("startup.stalled")), "\(watch.stdout)\(watch.stderr)")
    watch.write("* Running on local URL:  http://0.0.0.0:7860\n")
    #expect(watch.waitForOutput { $0.contains(#""event":"stall-ended""#) }, "\(watch.stdout)")
    watch.closeInput()
    #expect(watch.waitForExit() == 0, "\(watch.stdout)\(watch.stderr)")
  }

  @Test func followedFileEndsOnInterrupt() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-watch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("run.log")
    try "===== Application Startup at 2026-04-15 10:00:00 =====\n".write(to: file, atomically: false, encoding: .utf8)
    let watch = try WatchProcess(Self.watchNDJSON + ["--follow", file.path])
    #expect(watch.waitForOutput { $0.contains(#""event":"stage""#) }, "\(watch.stderr)")
    let handle = try FileHandle(forWritingTo: file)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("RuntimeError: No CUDA GPUs are available\n".utf8))
    try handle.close()
    #expect(watch.waitForOutput(hasFinding("zerogpu.no-cuda-gpus")), "\(watch.stdout)\(watch.stderr)")
    #expect(watch.isRunning, "a followed file does not end at its end")
    watch.interrupt()
    #expect(watch.waitForExit() == 75)
    #expect(watch.events.last?["event"] as? String == "verdict")
  }

  @Test func usageAndMissingFiles() throws {
    for arguments in [["--follow"], ["--build"], ["--space", "no-slash"], ["--space", "a/b", "file.log"], ["--stall", "-1"]] {
      let watch = try WatchProcess(["watch"] + arguments)
      #expect(watch.waitForExit() == 64, "\(arguments): \(watch.stderr)")
    }
    let missing = try WatchProcess(["watch", "/nonexistent/space-triage.log"] + LiveFixtures.catalogArguments)
    #expect(missing.waitForExit() == 66)
    #expect(missing.stderr.contains("cannot open"))
  }

  // MARK: - The logs API

  private func watchSpace(_ server: LoopbackServer, _ arguments: [String], token: String? = LiveFixtures.token) throws -> (WatchProcess, Int32) {
    var environment = ["HF_ENDPOINT": server.endpoint]
    environment["HF_TOKEN"] = token
    let watch = try WatchProcess(["watch"] + LiveFixtures.catalogArguments + arguments, environment: environment)
    watch.closeInput()
    return (watch, watch.waitForExit())
  }

  @Test func spaceRunLogsAcrossADroppedConnection() throws {
    let server = try LiveFixtures.logsServer(dropAfter: 5)
    defer { server.stop() }
    let (watch, status) = try watchSpace(server, ["--space", "acme/zero-demo", "--format", "ndjson"])
    // ZeroGPU failed in both attempts: a recurring transient is escalated.
    #expect(status == 4, "\(watch.stdout)\(watch.stderr)")
    let events = watch.events
    let last = try #require(events.last)
    #expect(last["event"] as? String == "verdict")
    let report = try #require(last["report"] as? [String: Any])
    #expect(report["primary"] as? String == "zerogpu.no-cuda-gpus")
    #expect(report["escalated"] as? Bool == true)
    #expect(report["attempts"] as? Int == 2)
    #expect(report["source"] as? String == "acme/zero-demo/logs/run")
    // Nothing replayed after the reconnect: each stage and finding exactly once.
    let stages = events.filter { $0["event"] as? String == "stage" }.compactMap { $0["stage"] as? String }
    #expect(stages == ["startup", "running", "startup", "running"])
    let findings = try #require(report["findings"] as? [[String: Any]])
    let cuda = try #require(findings.first { $0["id"] as? String == "zerogpu.no-cuda-gpus" })
    #expect(cuda["count"] as? Int == 2)
    #expect(cuda["attempts"] as? [Int] == [1, 2])
    #expect(server.requests.count == 2)
    #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(LiveFixtures.token)" })
    #expect(!watch.stdout.contains(LiveFixtures.token) && !watch.stderr.contains(LiveFixtures.token))
  }

  @Test func spaceBuildLogsInText() throws {
    let server = try LiveFixtures.logsServer(dropAfter: 3)
    defer { server.stop() }
    let (watch, status) = try watchSpace(server, ["--space", "acme/zero-demo", "--build"])
    #expect(status == 0, "\(watch.stdout)\(watch.stderr)")
    // Line numbers count the raw SSE lines (a comment and a blank line come first), as classify does.
    #expect(watch.stdout.contains("line 3: stage build"), "\(watch.stdout)")
    #expect(watch.stdout.contains("HEALTHY  acme/zero-demo/logs/build at stage build"))
    #expect(server.requests.last?.path == "/api/spaces/acme/zero-demo/logs/build")
    #expect(!watch.stdout.contains(LiveFixtures.token) && !watch.stderr.contains(LiveFixtures.token))
  }

  @Test func notAuthorisedIs77AndNotFoundIs66() throws {
    let server = try LiveFixtures.logsServer()
    defer { server.stop() }
    for (space, token, expected) in [
      ("acme/private", LiveFixtures.token, Int32(77)), ("acme/forbidden", LiveFixtures.token, 77),
      ("acme/zero-demo", nil, 77), ("acme/missing", LiveFixtures.token, 66), ("acme/missing", nil, 66),
    ] as [(String, String?, Int32)] {
      let (watch, status) = try watchSpace(server, ["--space", space], token: token)
      #expect(status == expected, "\(space): \(watch.stdout)\(watch.stderr)")
      #expect(watch.stderr.contains(expected == 77 ? "read access" : "404"), "\(space): \(watch.stderr)")
      #expect(watch.stderr.split(separator: "\n").count == 1, "one clear line: \(watch.stderr)")
      #expect(!watch.stdout.contains(LiveFixtures.token) && !watch.stderr.contains(LiveFixtures.token), "\(space)")
    }
  }

  @Test func unreachableEndpointIs74() throws {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    let watch = try WatchProcess(
      ["watch", "--space", "acme/zero-demo"] + LiveFixtures.catalogArguments,
      environment: ["HF_ENDPOINT": "http://127.0.0.1:1", "HF_TOKEN": LiveFixtures.token])
    watch.closeInput()
    let status = watch.waitForExit()
    #expect(status == 74, "\(watch.stderr)")
    #expect(!watch.stderr.contains(LiveFixtures.token))
  }
}
