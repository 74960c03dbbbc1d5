import Foundation
import Testing

/// `space-triage doctor` end to end: the built binary on fixture folders and against a strict
/// fake Hub on loopback.
@Suite(.serialized)
struct DoctorCommandTests {
  static let token = FakeHub.validToken

  func checkIDs(_ result: DoctorRunner.Result) -> [String] {
    (result.json["checks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
  }

  // MARK: - doctor DIR

  @Test func localFolderWithErrorsExits4() throws {
    let folder = try DoctorFixtures.folder(DoctorFixtures.brokenDuplicate)
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try DoctorRunner.run(["doctor", folder.path, "--format", "json"])
    #expect(result.status == 4, "\(result.stderr)")
    let ids = checkIDs(result)
    for id in ["check.cuda-before-spaces", "check.gpu-duration-free", "check.gradio-pin-mismatch", "check.secret-unverified"] {
      #expect(ids.contains(id), "\(id) in \(ids)")
    }
    // Runtime and secrets need the Hub.
    #expect(!ids.contains("check.hardware-fallback"))
    #expect(!ids.contains("check.secret-missing"))
    #expect(result.json["mode"] as? String == "local")
    #expect(result.json["logs"] is NSNull)
    let text = try DoctorRunner.run(["doctor", folder.path])
    #expect(text.status == 4)
    #expect(text.stdout.hasPrefix("ERRORS  doctor "))
    #expect(text.stdout.contains("check.cuda-before-spaces app.py:6"))
    #expect(text.stdout.contains("next steps:\n    1. "))
  }

  @Test func cleanLocalFolderExits0() throws {
    let folder = try DoctorFixtures.folder(DoctorFixtures.clean)
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try DoctorRunner.run(["doctor", folder.path])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("OK  doctor "))
    // Hints never change the status.
    #expect(result.stdout.contains("check.secret-unverified"))
  }

  @Test func ndjsonEndsWithTheWholeReport() throws {
    let folder = try DoctorFixtures.folder(DoctorFixtures.brokenDuplicate)
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try DoctorRunner.run(["doctor", folder.path, "--format", "ndjson"])
    #expect(result.status == 4)
    let events = result.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(events.count == result.stdout.split(separator: "\n").count)
    #expect(events.dropLast().allSatisfy { $0["event"] as? String == "check" })
    #expect(events.last?["event"] as? String == "doctor")
    #expect(events.last?["verdict"] as? String == "persistent")
  }

  @Test func usageErrors() throws {
    #expect(try DoctorRunner.run(["doctor", "not a space"]).status == 64)
    #expect(try DoctorRunner.run(["doctor", "./no/such/folder"]).status == 64)
    #expect(try DoctorRunner.run(["doctor", "acme/x", "--log-wait", "-1"]).status == 64)
  }

  // MARK: - doctor OWNER/NAME against the fake Hub

  static func brokenDuplicate() -> FakeHub.Space {
    var space = FakeHub.Space(id: "dup/upscaler")
    space.isPrivate = true  // a duplicate is private by default
    space.stage = "RUNTIME_ERROR"
    space.hardwareCurrent = "cpu-basic"
    space.hardwareRequested = "cpu-basic"
    space.errorMessage = "Exit code: 1. Reason: app.py could not be imported: CUDA has been initialized before importing the `spaces` package."
    space.files = DoctorFixtures.brokenDuplicate
    space.variables = ["THEME": "dark"]
    space.secrets = []
    space.buildLog = FakeHub.events(DoctorFixtures.buildLog, start: "2026-11-30T10:00:00.000Z")
    space.runLog = FakeHub.events(DoctorFixtures.brokenRunLog, start: "2026-11-30T10:05:00.000Z")
    return space
  }

  static func cleanSpace() -> FakeHub.Space {
    var space = FakeHub.Space(id: "acme/clean")
    space.hardwareCurrent = "zero-a10g"
    space.hardwareRequested = "zero-a10g"
    space.files = DoctorFixtures.clean
    space.variables = ["MODEL_ID": "acme/tiny-model"]
    space.buildLog = FakeHub.events(DoctorFixtures.buildLog, start: "2026-11-30T10:00:00.000Z")
    space.runLog = FakeHub.events(DoctorFixtures.healthyRunLog, start: "2026-11-30T10:05:00.000Z")
    return space
  }

  static func slowSpace() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "acme/slow"
    space.runLogDelay = 0.3
    space.runLogStaysOpen = true
    space.runLog = FakeHub.events(DoctorFixtures.healthyRunLog + (1...40).map { "request \($0) served" }, start: "2026-11-30T10:05:00.000Z")
    return space
  }

  static func emptyLogsSpace() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "acme/empty"
    space.buildLog = []
    space.runLog = []
    return space
  }

  /// ZeroGPU code that fell back to cpu-basic and fails with a transient-looking error.
  static func fallbackWithTransientLog() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "acme/fallback"
    space.stage = "RUNTIME_ERROR"
    space.hardwareCurrent = "cpu-basic"
    space.hardwareRequested = "cpu-basic"
    space.runLog = FakeHub.events(
      DoctorFixtures.healthyRunLog + ["Traceback (most recent call last):", "RuntimeError: No CUDA GPUs are available"],
      start: "2026-11-30T10:05:00.000Z")
    return space
  }

  /// A Space set up right whose run hit a platform hiccup.
  static func transientSpace() -> FakeHub.Space {
    var space = fallbackWithTransientLog()
    space.id = "acme/hiccup"
    space.hardwareCurrent = "zero-a10g"
    space.hardwareRequested = "zero-a10g"
    return space
  }

  /// A healthy running Space whose code has an error check that explains nothing (yet).
  static func runningWithErrorCheck() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "acme/long-gpu"
    space.files["app.py"] = space.files["app.py"]?.replacingOccurrences(of: "duration=60", with: "duration=3000")
    return space
  }

  /// An organisation's private Space the token's account cannot see.
  static func forbiddenSpace() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "org/internal"
    space.isPrivate = true
    space.forbidden = true
    return space
  }

  /// A Space whose run log and code carry the token itself.
  static func leakySpace() -> FakeHub.Space {
    var space = cleanSpace()
    space.id = "acme/leaky"
    space.stage = "RUNTIME_ERROR"
    space.files["app.py"] = "import os\nTOKEN = os.environ.get(\"HF_TOKEN\", \"\(FakeHub.validToken)\")\n" + (space.files["app.py"] ?? "")
    space.runLog = FakeHub.events(
      [
        "===== Application Startup at 2026-11-30 10:05:00 =====", "using token \(FakeHub.validToken) for acme/tiny-model",
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models?token=\(FakeHub.validToken)",
      ],
      start: "2026-11-30T10:05:00.000Z")
    return space
  }

  /// A Space that never built: the logs API answers 404, the runtime says NO_APP_FILE.
  static func neverBuilt() -> FakeHub.Space {
    var space = FakeHub.Space(id: "acme/new")
    space.stage = "NO_APP_FILE"
    space.hardwareCurrent = nil
    space.noLogs = true
    space.files = ["README.md": "---\nsdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.10\"\napp_file: main.py\n---\n"]
    return space
  }

  func withHub(_ body: (FakeHub) throws -> Void) throws {
    let hub = try FakeHub(spaces: [
      Self.brokenDuplicate(), Self.cleanSpace(), Self.slowSpace(), Self.emptyLogsSpace(), Self.fallbackWithTransientLog(),
      Self.transientSpace(), Self.runningWithErrorCheck(), Self.forbiddenSpace(), Self.leakySpace(), Self.neverBuilt(),
    ])
    defer { hub.stop() }
    try body(hub)
    #expect(hub.requests.allSatisfy { $0.method == "GET" })
  }

  func doctor(_ hub: FakeHub, _ arguments: [String], token: String? = FakeHub.validToken) throws -> DoctorRunner.Result {
    var environment = ["HF_ENDPOINT": hub.endpoint]
    if let token { environment["HF_TOKEN"] = token }
    return try DoctorRunner.run(["doctor"] + arguments + DoctorRunner.catalogArguments, environment: environment)
  }

  @Test func brokenDuplicateNamesAllFiveAndExits4() throws {
    try withHub { hub in
      let result = try doctor(hub, ["dup/upscaler", "--format", "json", "--log-wait", "1"])
      #expect(result.status == 4, "\(result.stderr)")
      let ids = checkIDs(result)
      for id in ["check.hardware-fallback", "check.secret-missing", "check.gpu-duration-free", "check.cuda-before-spaces", "check.gradio-pin-mismatch"] {
        #expect(ids.contains(id), "\(id) in \(ids)")
      }
      let logs = try #require(result.json["logs"] as? [String: Any])
      let report = try #require(logs["report"] as? [String: Any])
      #expect(report["primary"] as? String == "zerogpu.cuda-init-before-spaces")
      #expect(logs["verdict"] as? String == "persistent")
      #expect(logs["buildEvents"] as? Int == DoctorFixtures.buildLog.count)
      #expect(logs["runEvents"] as? Int == DoctorFixtures.brokenRunLog.count)
      let runtime = try #require(result.json["runtime"] as? [String: Any])
      #expect(runtime["stage"] as? String == "RUNTIME_ERROR")
      #expect((runtime["hardware"] as? [String: Any])?["current"] as? String == "cpu-basic")
      // Next steps: hardware and the secret before anything the log ladder says.
      let steps = (result.json["nextSteps"] as? [[String: Any]] ?? []).compactMap { $0["from"] as? String }
      let hardware = try #require(steps.firstIndex(of: "check.hardware-fallback"))
      let secret = try #require(steps.firstIndex(of: "check.secret-missing"))
      #expect(hardware < secret)
      if let ladder = steps.firstIndex(of: "zerogpu.cuda-init-before-spaces") { #expect(secret < ladder) }
      #expect(result.json["checksExplainFailure"] as? Bool == true)
      // The logs were read in time order: the build banner comes first.
      let stages = (report["stages"] as? [[String: Any]] ?? []).compactMap { $0["stage"] as? String }
      #expect(stages.first == "build")
      #expect(!result.stdout.contains(FakeHub.validToken))
      #expect(!result.stderr.contains(FakeHub.validToken))

      let text = try doctor(hub, ["dup/upscaler", "--log-wait", "1"])
      #expect(text.status == 4)
      #expect(text.stdout.hasPrefix("PERSISTENT  doctor dup/upscaler (private)\n  runtime: RUNTIME_ERROR  hardware: cpu-basic\n"))
      #expect(text.stdout.contains("zerogpu.cuda-init-before-spaces"))
      #expect(!text.stdout.contains(FakeHub.validToken))
      // Every request carried the token.
      #expect(hub.requests.allSatisfy { $0.authorization == "Bearer \(FakeHub.validToken)" })
      #expect(hub.requests.contains { $0.path == "/spaces/dup/upscaler/resolve/main/app.py" })
      #expect(hub.requests.contains { $0.path == "/api/spaces/dup/upscaler/variables" })
    }
  }

  @Test func cleanSpaceExits0() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/clean", "--log-wait", "1"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.hasPrefix("HEALTHY  doctor acme/clean\n  runtime: RUNNING  hardware: zero-a10g\n"))
      #expect(result.stdout.contains("checks: all passed"))
      // Files the Space does not have are not asked for (siblings), and a 404 file is absent.
      #expect(!hub.requests.contains { $0.path.hasSuffix("/Dockerfile") })
    }
  }

  @Test func unknownSpaceExits66() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/nope", "--log-wait", "1"])
      #expect(result.status == 66)
      #expect(result.stderr.contains("404"))
      #expect(result.stdout.isEmpty)
    }
  }

  @Test func wrongTokenExits77WithoutPrintingIt() throws {
    try withHub { hub in
      let wrong = "hf_WrongTokenWrongTokenWrongToken1234"
      let result = try doctor(hub, ["acme/clean", "--log-wait", "1"], token: wrong)
      #expect(result.status == 77, "\(result.stderr)")
      #expect(result.stderr.contains("401"))
      #expect(result.stderr.contains("refused"))
      #expect(!result.stderr.contains(wrong))
      #expect(!result.stdout.contains(wrong))
      // A private Space without a token is refused too.
      let anonymous = try doctor(hub, ["dup/upscaler", "--log-wait", "1"], token: nil)
      #expect(anonymous.status == 77)
      #expect(anonymous.stderr.contains("set HF_TOKEN"))
    }
  }

  @Test func publicSpaceWithoutTokenCannotListVariables() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/clean", "--log-wait", "1", "--format", "json"], token: nil)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(checkIDs(result).contains("check.secret-unverified"))
      let notes = result.json["notes"] as? [String] ?? []
      #expect(notes.contains { $0.contains("variables could not be listed (HTTP 401)") })
      #expect(hub.requests.allSatisfy { $0.authorization == nil })
    }
  }

  @Test func slowLogStreamEndsWithinLogWaitPlusTwoSeconds() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/slow", "--log-wait", "1", "--format", "json"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.seconds < 3.0, "took \(result.seconds) s")
      let logs = try #require(result.json["logs"] as? [String: Any])
      #expect((logs["runEvents"] as? Int ?? 0) >= 2)
    }
  }

  @Test func emptyLogsAreReported() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/empty", "--log-wait", "1"])
      // The Hub says RUNNING and the (empty) logs show no failure.
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("the logs are empty"))
    }
  }

  @Test func hardwareFallbackComesBeforeTheRetryLadder() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/fallback", "--log-wait", "1", "--format", "json"])
      #expect(result.status == 4, "\(result.stderr)")
      #expect((result.json["logs"] as? [String: Any])?["verdict"] as? String == "transient")
      let steps = result.json["nextSteps"] as? [[String: Any]] ?? []
      #expect(steps.first?["from"] as? String == "check.hardware-fallback")
      let actions = steps.compactMap { $0["action"] as? String }
      let retry = try #require(actions.firstIndex(of: "retry-once"))
      #expect(try #require(actions.firstIndex(of: "choose-hardware")) < retry)
    }
  }

  @Test func aTransientFailureOfAWellSetUpSpaceExits75() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/hiccup", "--log-wait", "1", "--format", "json"])
      #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
      #expect(checkIDs(result).isEmpty)
      let steps = (result.json["nextSteps"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
      #expect(steps.first == "retry-once")
    }
  }

  @Test func anErrorCheckOnAHealthySpaceExplainsNoFailure() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/long-gpu", "--log-wait", "1", "--format", "json"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(checkIDs(result) == ["check.gpu-duration-max"])
      #expect(result.json["checksExplainFailure"] as? Bool == false)
    }
  }

  @Test func forbiddenExits77() throws {
    try withHub { hub in
      let result = try doctor(hub, ["org/internal", "--log-wait", "1"])
      #expect(result.status == 77)
      #expect(result.stderr.contains("403"))
      #expect(!result.stderr.contains(FakeHub.validToken))
    }
  }

  @Test func theTokenNeverAppearsEvenWhenTheSpacePrintsIt() throws {
    try withHub { hub in
      for format in ["text", "json", "ndjson"] {
        let result = try doctor(hub, ["acme/leaky", "--log-wait", "1", "--format", format])
        #expect(result.status != 0, "\(result.stdout)")
        #expect(!result.stdout.isEmpty)
        #expect(!result.stdout.contains(FakeHub.validToken), "\(format): \(result.stdout)")
        #expect(!result.stderr.contains(FakeHub.validToken))
        #expect(result.stdout.contains("[REDACTED]"))
        // Redaction keeps the JSON valid.
        if format == "json" { #expect(!result.json.isEmpty, "\(result.stdout)") }
        if format == "ndjson" {
          for line in result.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
          }
        }
      }
      // Local too: the token in the code is not printed.
      let folder = try DoctorFixtures.folder(Self.leakySpace().files)
      defer { try? FileManager.default.removeItem(at: folder) }
      let local = try DoctorRunner.run(["doctor", folder.path], environment: ["HF_TOKEN": FakeHub.validToken])
      #expect(!local.stdout.contains(FakeHub.validToken))
    }
  }

  @Test func logsThatDoNotExistYetAreANoteNotAFailure() throws {
    try withHub { hub in
      let result = try doctor(hub, ["acme/new", "--log-wait", "1", "--format", "json"])
      #expect(result.status == 4, "\(result.stderr)")
      #expect(checkIDs(result) == ["check.app-file-missing"])
      let notes = result.json["notes"] as? [String] ?? []
      #expect(notes.contains { $0.contains("build log API answered 404") })
      #expect(notes.contains { $0.contains("run log API answered 404") })
      #expect(!hub.requests.contains { $0.path.hasSuffix("/main.py") })  // not among the siblings
    }
  }

  @Test func networkErrorExits74() throws {
    let result = try DoctorRunner.run(
      ["doctor", "acme/clean", "--log-wait", "1"] + DoctorRunner.catalogArguments, environment: ["HF_ENDPOINT": "http://127.0.0.1:9"])
    #expect(result.status == 74, "\(result.stderr)")
  }
}
