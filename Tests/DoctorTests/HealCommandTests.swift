import Foundation
import Testing

/// `space-triage heal` against the strict fake Hub: dry run by default, the ladder (restart once,
/// factory rebuild once, stop), the budget in the history store, never for a persistent failure,
/// 401/403 → 77.
@Suite(.serialized)
struct HealCommandTests {
  /// A ZeroGPU Space set up right whose run hit `zerogpu.no-cuda-gpus` (transient), in an attempt
  /// that started at `banner`.
  static func hiccup(_ id: String, banner: String) -> FakeHub.Space {
    var space = DoctorCommandTests.transientSpace()
    space.id = id
    space.runLog = FakeHub.events(
      [
        "===== Application Startup at 2026-11-30 \(banner) =====", "",
        "* Running on local URL:  http://0.0.0.0:7860", "Traceback (most recent call last):",
        "RuntimeError: No CUDA GPUs are available",
      ],
      start: "2026-11-30T\(banner).000Z")
    return space
  }

  static func healthy(_ id: String, banner: String) -> FakeHub.Space {
    var space = DoctorCommandTests.cleanSpace()
    space.id = id
    space.runLog = FakeHub.events(
      ["===== Application Startup at 2026-11-30 \(banner) =====", "", "* Running on local URL:  http://0.0.0.0:7860"],
      start: "2026-11-30T\(banner).000Z")
    return space
  }

  /// Fails again after its restart, healthy after its factory rebuild.
  static func flaky() -> FakeHub.Space {
    var space = hiccup("acme/flaky", banner: "10:05:00")
    space.onRestart = [hiccup("acme/flaky", banner: "10:45:00")]
    space.onFactoryRebuild = [healthy("acme/flaky", banner: "11:10:00")]
    // After the restart the Space is the restarted one: its own factory rebuild heals it.
    space.onRestart[0].onFactoryRebuild = space.onFactoryRebuild
    return space
  }

  /// Comes back after everything.
  static func stuck() -> FakeHub.Space {
    var space = hiccup("acme/stuck", banner: "10:05:00")
    var restarted = hiccup("acme/stuck", banner: "10:45:00")
    restarted.onFactoryRebuild = [hiccup("acme/stuck", banner: "11:10:00")]
    space.onRestart = [restarted]
    return space
  }

  func withHub(_ body: (FakeHub, String) throws -> Void) throws {
    let hub = try FakeHub(spaces: [Self.flaky(), Self.stuck(), DoctorCommandTests.brokenDuplicate(), DoctorCommandTests.cleanSpace()])
    defer { hub.stop() }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-heal-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(hub, folder.appendingPathComponent("history.sqlite").path)
  }

  func heal(
    _ hub: FakeHub, _ history: String, _ arguments: [String], token: String? = FakeHub.validToken, environment extra: [String: String] = [:]
  ) throws -> DoctorRunner.Result {
    var environment = extra
    environment["HF_ENDPOINT"] = hub.endpoint
    if let token { environment["HF_TOKEN"] = token }
    return try DoctorRunner.run(
      ["heal"] + arguments + ["--history", history, "--log-wait", "0.5", "--poll", "0.05"] + DoctorRunner.catalogArguments,
      environment: environment)
  }

  @Test func aDryRunPrintsThePlanAndSendsNothing() throws {
    try withHub { hub, history in
      let result = try heal(hub, history, ["acme/flaky"])
      #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("zerogpu.no-cuda-gpus"))
      #expect(result.stdout.contains("1. restart (POST "))
      #expect(result.stdout.contains("2. if `zerogpu.no-cuda-gpus` comes back, factory rebuild (POST "))
      #expect(result.stdout.contains("dry run: nothing was sent"))
      #expect(hub.posts.isEmpty)
    }
  }

  @Test func restartThenFactoryRebuildThenHealthyAndNothingTwiceWithinTheBudget() throws {
    try withHub { hub, history in
      let result = try heal(hub, history, ["acme/flaky", "--yes"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(hub.posts == ["/api/spaces/acme/flaky/restart", "/api/spaces/acme/flaky/restart?factory=true"])
      #expect(result.stdout.contains("restart: sent"))
      #expect(result.stdout.contains("factory rebuild: sent"))
      #expect(result.stdout.contains("HEALTHY  acme/flaky after a factory rebuild"))
      #expect(!result.stdout.contains(FakeHub.validToken))
      // Every action and its outcome is in the history.
      let listed = try DoctorRunner.run(["history", "acme/flaky", "--history", history, "--format", "json"])
      let actions = (listed.json["actions"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
      #expect(Set(actions) == ["restart", "factory-rebuild"], "\(listed.stdout)")
      let outcomes = (listed.json["actions"] as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
      #expect(Set(outcomes) == ["persistent", "healthy"], "the restart's watch saw it come back (escalated), the rebuild's healthy")
      // Again within 24 h: healthy now, nothing sent.
      let again = try heal(hub, history, ["acme/flaky", "--yes"])
      #expect(again.status == 0)
      #expect(hub.posts.count == 2)
    }
  }

  @Test func aFailureThatComesBackAfterBothStopsAndTheBudgetHolds() throws {
    try withHub { hub, history in
      let result = try heal(hub, history, ["acme/stuck", "--yes"])
      #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
      #expect(hub.posts == ["/api/spaces/acme/stuck/restart", "/api/spaces/acme/stuck/restart?factory=true"])
      #expect(result.stdout.contains("PERSISTENT  acme/stuck  (escalated"))
      #expect(result.stdout.contains("Inspect what this Space does differently"))
      // A cron job 30 minutes later: the budget is spent, nothing is sent.
      let cron = try heal(hub, history, ["acme/stuck", "--yes"])
      #expect(cron.status == 4, "\(cron.stdout)")
      #expect(cron.stdout.contains("budget spent"))
      #expect(hub.posts.count == 2)
      // A day later (an injected clock) the budget is back: one restart, one factory rebuild again.
      let tomorrow = String(Date().addingTimeInterval(25 * 3600).timeIntervalSince1970)
      let nextDay = try heal(hub, history, ["acme/stuck", "--yes"], environment: ["SPACE_TRIAGE_NOW": tomorrow])
      #expect(nextDay.stdout.contains("nothing sent yet"), "\(nextDay.stdout)")
      #expect(hub.posts.count == 4)
    }
  }

  @Test func neverForAPersistentFailure() throws {
    try withHub { hub, history in
      let result = try heal(hub, history, ["dup/upscaler", "--yes"])
      #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("not acting"))
      #expect(hub.posts.isEmpty)
      let healthy = try heal(hub, history, ["acme/clean", "--yes"])
      #expect(healthy.status == 0)
      #expect(healthy.stdout.contains("nothing to do"))
      #expect(hub.posts.isEmpty)
    }
  }

  @Test func aTokenWithoutWriteAccessExits77NamingIt() throws {
    try withHub { hub, history in
      let readOnly = try heal(hub, history, ["acme/flaky", "--yes"], token: FakeHub.readOnlyToken)
      #expect(readOnly.status == 77, "\(readOnly.stdout)\(readOnly.stderr)")
      #expect(readOnly.stderr.contains("403"))
      #expect(readOnly.stderr.contains("write access"))
      #expect(!readOnly.stderr.contains(FakeHub.readOnlyToken))
      let anonymous = try heal(hub, history, ["acme/flaky", "--yes"], token: nil)
      #expect(anonymous.status == 77)
      #expect(anonymous.stderr.contains("401"))
      #expect(anonymous.stderr.contains("write access"))
      // Refused restarts do not spend the budget, and nothing was restarted.
      #expect(hub.requests.filter { $0.method == "POST" }.allSatisfy { $0.status == 401 || $0.status == 403 })
      #expect(try heal(hub, history, ["acme/flaky", "--yes", "--no-history"]).status == 64)
    }
  }
}
