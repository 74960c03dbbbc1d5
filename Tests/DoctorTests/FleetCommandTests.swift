import Foundation
import Testing

/// `space-triage fleet` against the fake Hub: six Spaces, three of them hit by the same ZeroGPU
/// worker error within minutes (an incident), one that fails to build, one asleep, one running.
@Suite(.serialized)
struct FleetCommandTests {
  static func zeroGPU(_ id: String, at time: String) -> FakeHub.Space {
    var space = DoctorCommandTests.cleanSpace()
    space.id = id
    space.stage = "RUNTIME_ERROR"
    space.runLog = FakeHub.events(
      [
        "===== Application Startup at 2026-11-30 \(time) =====", "", "* Running on local URL:  http://0.0.0.0:7860",
        "gradio.exceptions.Error: 'ZeroGPU worker error'",
      ],
      start: "2026-11-30T\(time).000Z")
    return space
  }

  static func team() -> [FakeHub.Space] {
    var build = DoctorCommandTests.cleanSpace()
    build.id = "team/build"
    build.stage = "BUILD_ERROR"
    build.hardwareCurrent = nil
    build.buildLog = FakeHub.events(
      [
        "===== Build Queued at 2026-11-30 09:00:00 / Commit SHA: e9e3061 =====", "--> RUN pip install --no-cache-dir -r requirements.txt",
        "ERROR: Could not find a version that satisfies the requirement torch==9.9.9 (from versions: 2.4.0, 2.5.1)",
        "ERROR: No matching distribution found for torch==9.9.9",
      ],
      start: "2026-11-30T09:00:00.000Z")
    build.runLog = []
    var sleepy = DoctorCommandTests.cleanSpace()
    sleepy.id = "team/sleepy"
    sleepy.stage = "SLEEPING"
    var running = DoctorCommandTests.cleanSpace()
    running.id = "team/ok"
    var stranger = zeroGPU("other/x", at: "10:06:00")
    stranger.id = "other/x"
    return [zeroGPU("team/a", at: "10:05:00"), build, zeroGPU("team/b", at: "10:09:00"), sleepy, zeroGPU("team/c", at: "10:14:00"), running, stranger]
  }

  func withHub(listPageSize: Int? = nil, _ body: (FakeHub, URL) throws -> Void) throws {
    let hub = try FakeHub(spaces: Self.team(), listPageSize: listPageSize)
    defer { hub.stop() }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-fleet-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(hub, folder)
    #expect(hub.posts.isEmpty, "fleet only reads")
  }

  func fleet(_ hub: FakeHub, _ folder: URL, _ arguments: [String]) throws -> DoctorRunner.Result {
    try DoctorRunner.run(
      ["fleet"] + arguments + ["--history", folder.appendingPathComponent("h.sqlite").path, "--log-wait", "0.5"] + DoctorRunner.catalogArguments,
      environment: ["HF_ENDPOINT": hub.endpoint, "HF_TOKEN": FakeHub.validToken])
  }

  @Test func sixSpacesIncidentAboveTheTable() throws {
    try withHub { hub, folder in
      let result = try fleet(hub, folder, ["--author", "team", "--jobs", "3"])
      #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
      let lines = result.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first?.hasPrefix("INCIDENT  `zerogpu.worker-error` in 3 Spaces within 30 minutes: likely a platform incident") == true, "\(result.stdout)")
      #expect(result.stdout.contains("https://status.huggingface.co; do not rebuild"))
      #expect(lines.dropFirst().first == "  Spaces: team/a, team/b, team/c")
      let header = try #require(lines.firstIndex { $0.hasPrefix("SPACE ") })
      #expect(lines[header].contains("STAGE") && lines[header].contains("HARDWARE") && lines[header].contains("NEXT STEP"))
      let table = lines[(header + 1)...].prefix(6)
      #expect(table.map { String($0.split(separator: " ").first ?? "") } == ["team/a", "team/build", "team/b", "team/sleepy", "team/c", "team/ok"])
      #expect(table.contains { $0.hasPrefix("team/build") && $0.contains("persistent") && $0.contains("build.pip-no-matching-distribution") })
      #expect(table.contains { $0.hasPrefix("team/sleepy") && $0.contains("sleeping") })
      #expect(table.contains { $0.hasPrefix("team/ok") && $0.contains("healthy") })
      #expect(!result.stdout.contains("other/x"))
      // Running and sleeping Spaces are not triaged: no logs read for them.
      #expect(!hub.requests.contains { $0.path.hasPrefix("/api/spaces/team/sleepy/logs") || $0.path.hasPrefix("/api/spaces/team/ok/logs") })

      let json = try fleet(hub, folder, ["--author", "team", "--format", "json"])
      let incidents = json.json["incidents"] as? [[String: Any]] ?? []
      #expect(incidents.first?["incident"] as? String == "zerogpu.worker-error")
      #expect(incidents.first?["spaces"] as? [String] == ["team/a", "team/b", "team/c"])
      let rows = json.json["spaces"] as? [[String: Any]] ?? []
      #expect(rows.count == 6)
      #expect(rows.first?["verdict"] as? String == "transient")
      #expect(rows.first?["hardware"] as? String == "zero-a10g")
      #expect(rows.first?["nextStep"] is String)
      let ndjson = try fleet(hub, folder, ["--author", "team", "--format", "ndjson"])
      #expect(ndjson.stdout.split(separator: "\n").count == 7)
    }
  }

  /// The Hub pages its listings (`Link: <…>; rel="next"`): every page is read, with the token.
  @Test func everyPageOfTheListingIsRead() throws {
    try withHub(listPageSize: 2) { hub, folder in
      let json = try fleet(hub, folder, ["--author", "team", "--format", "json"])
      let rows = json.json["spaces"] as? [[String: Any]] ?? []
      #expect(rows.compactMap { $0["space"] as? String }.sorted() == ["team/a", "team/b", "team/build", "team/c", "team/ok", "team/sleepy"], "\(json.stdout)")
      let listings = hub.requests.filter { $0.path.hasPrefix("/api/spaces?") }
      #expect(listings.map(\.path) == ["/api/spaces?author=team", "/api/spaces?author=team&cursor=2", "/api/spaces?author=team&cursor=4"])
      #expect(listings.allSatisfy { $0.authorization == "Bearer \(FakeHub.validToken)" })
    }
  }

  @Test func theHistoryStoreFeedsTheIncidentRule() throws {
    try withHub { hub, folder in
      // Two of the fleet fail now; a third Space was seen with the same error by an earlier run.
      let list = folder.appendingPathComponent("spaces.txt")
      try "# two of them\nteam/a\nteam/b\n\nteam/ok\n".write(to: list, atomically: true, encoding: .utf8)
      let alone = try fleet(hub, folder, ["--spaces", list.path])
      #expect(alone.status == 75, "\(alone.stdout)\(alone.stderr)")
      #expect(!alone.stdout.contains("INCIDENT"))
      let log = folder.appendingPathComponent("x.log")
      try "===== Application Startup at 2026-11-30 10:20:00 =====\ngradio.exceptions.Error: 'ZeroGPU worker error'\n"
        .write(to: log, atomically: true, encoding: .utf8)
      let recorded = try DoctorRunner.run(
        ["classify", log.path, "--space-name", "elsewhere/x", "--history", folder.appendingPathComponent("h.sqlite").path] + DoctorRunner.catalogArguments)
      #expect(recorded.status == 75)
      let together = try fleet(hub, folder, ["--spaces", list.path])
      #expect(together.stdout.hasPrefix("INCIDENT  `zerogpu.worker-error` in 3 Spaces"), "\(together.stdout)")
      #expect(together.stdout.contains("elsewhere/x, team/a, team/b"))
    }
  }

  @Test func usageAndListingErrors() throws {
    try withHub { hub, folder in
      #expect(try fleet(hub, folder, []).status == 64)
      #expect(try fleet(hub, folder, ["--author", "team", "--spaces", "x"]).status == 64)
      #expect(try fleet(hub, folder, ["--spaces", folder.appendingPathComponent("none.txt").path]).status == 66)
      let wrong = try DoctorRunner.run(
        ["fleet", "--author", "team", "--no-history"] + DoctorRunner.catalogArguments,
        environment: ["HF_ENDPOINT": hub.endpoint, "HF_TOKEN": "hf_WrongWrongWrongWrongWrong123456"])
      #expect(wrong.status == 77, "\(wrong.stderr)")
    }
  }
}
