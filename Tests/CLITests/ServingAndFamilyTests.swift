import Foundation
import Testing

/// End-to-end, through the real binary and the bundled catalog: every kind of server reaches
/// `running` (Corpus/healthy), and every failure family added with it names its own id, verdict
/// and exit status (Corpus/startup, Corpus/runtime).
@Suite(.serialized)
struct ServingAndFamilyTests {
  /// One Corpus log per server kind; each must end healthy in `running`.
  static let servingLogs = [
    "apache-php", "aspnet", "caddy", "chainlit", "comfyui", "django-runserver", "docker-app-port-8080", "express",
    "fastify-json", "flask-werkzeug", "go-echo", "go-gin", "go-gin-access-only", "go-server", "gunicorn-flask",
    "hypercorn", "jupyter-notebook-classic", "jupyterlab", "llama-cpp-server", "matplotlib-cache-warning", "micronaut",
    "nestjs", "nextjs", "nextjs-13-old", "nginx-static", "ollama-gradio", "panel", "php-builtin", "python-http-server",
    "quarkus", "rails-puma", "rust-actix", "rust-axum", "rust-rocket", "shiny-python", "shiny-r", "spring-boot",
    "spring-boot-2-netty", "tgi", "tomcat", "vite-preview", "vllm", "waitress", "go-chi", "ktor", "marimo", "nicegui",
    "phoenix", "serve-static", "tei", "voila",
  ]

  /// A failure-family log and what the CLI must say about it.
  struct FamilyCase: Sendable, CustomTestStringConvertible {
    var log: String
    var id: String
    var verdict: String
    var stage: String
    var testDescription: String { log }

    /// SPEC's exit statuses.
    var status: Int32 { verdict == "transient" ? 75 : verdict == "persistent" ? 4 : verdict == "unknown" ? 3 : 0 }
  }

  static let families = [
    FamilyCase(log: "startup/permission-denied", id: "startup.permission-denied", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/permission-denied-npm", id: "startup.permission-denied", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/permission-denied-nginx", id: "startup.permission-denied", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/numpy-abi-mismatch", id: "startup.numpy-abi-mismatch", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/invalid-token", id: "startup.invalid-token", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/invalid-token-openai", id: "startup.invalid-token", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/gradio-api-drift", id: "startup.gradio-api-drift", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/gradio-api-drift-launch", id: "startup.gradio-api-drift", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/port-bind-failed", id: "startup.port-bind-failed", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/missing-system-library", id: "startup.missing-system-library", verdict: "persistent",
      stage: "startup"),
    FamilyCase(log: "startup/no-space-left", id: "startup.no-space-left", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/extension-abi-mismatch", id: "startup.extension-abi-mismatch", verdict: "persistent",
      stage: "startup"),
    FamilyCase(
      log: "startup/transformers-too-old", id: "startup.transformers-too-old", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/sqlite-too-old", id: "startup.sqlite-too-old", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/quantization-needs-gpu", id: "startup.quantization-needs-gpu", verdict: "persistent",
      stage: "startup"),
    FamilyCase(log: "startup/hub-rate-limited", id: "startup.hub-rate-limited", verdict: "transient", stage: "startup"),
    FamilyCase(
      log: "startup/missing-secret-streamlit", id: "startup.missing-secret", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "runtime/cuda-arch-unsupported", id: "runtime.cuda-arch-unsupported", verdict: "persistent",
      stage: "running"),
    FamilyCase(log: "runtime/ffmpeg-missing", id: "runtime.ffmpeg-missing", verdict: "persistent", stage: "running"),
    FamilyCase(
      log: "runtime/api-quota-exceeded", id: "runtime.api-quota-exceeded", verdict: "persistent", stage: "running"),
    FamilyCase(
      log: "startup/cuda-driver-too-old", id: "startup.cuda-driver-too-old", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/missing-optional-dependency", id: "startup.missing-optional-dependency", verdict: "persistent",
      stage: "startup"),
    FamilyCase(
      log: "startup/no-gpu-map-location", id: "startup.no-gpu-on-hardware", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/numpy-api-drift", id: "startup.numpy-api-drift", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "startup/torch-too-old", id: "startup.torch-too-old", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "build/no-space-left", id: "build.no-space-left", verdict: "persistent", stage: "build"),
    FamilyCase(log: "shapes/entrypoint-crlf", id: "startup.app-exception", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "startup/cuda-library-missing", id: "startup.cuda-library-missing", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "runtime/cuda-kernel-error", id: "runtime.cuda-kernel-error", verdict: "persistent", stage: "running"),
    FamilyCase(
      log: "startup/gradio-api-info-failed", id: "startup.gradio-api-info-failed", verdict: "persistent",
      stage: "startup"),
    FamilyCase(log: "startup/oom-killed", id: "startup.oom-killed", verdict: "persistent", stage: "startup"),
    FamilyCase(log: "shapes/python-bare-exception", id: "startup.app-exception", verdict: "persistent", stage: "startup"),
    FamilyCase(
      log: "shapes/python-bare-network-error", id: "startup.network-error", verdict: "transient", stage: "startup"),
  ]

  /// The one report of a `--format json` run.
  static func report(_ result: CLIRunner.Result) throws -> [String: Any] {
    let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    return try #require((document["reports"] as? [[String: Any]])?.first)
  }

  @Test(arguments: servingLogs)
  func serverKindReachesRunning(_ name: String) throws {
    let result = try CLIRunner.run(["classify", "--format", "json", "Corpus/healthy/\(name).log"])
    #expect(result.status == 0, "\(name): \(result.stdout)\(result.stderr)")
    let report = try Self.report(result)
    #expect(report["verdict"] as? String == "healthy", "\(name)")
    #expect(report["finalStage"] as? String == "running", "\(name)")
    #expect(report["primary"] is NSNull, "\(name)")
  }

  @Test(arguments: families)
  func familyNamesItsID(_ family: FamilyCase) throws {
    let result = try CLIRunner.run(["classify", "--format", "json", "Corpus/\(family.log).log"])
    #expect(result.status == family.status, "\(family.log): \(result.stdout)\(result.stderr)")
    let report = try Self.report(result)
    #expect(report["primary"] as? String == family.id, "\(family.log)")
    #expect(report["verdict"] as? String == family.verdict, "\(family.log)")
    #expect(report["finalStage"] as? String == family.stage, "\(family.log)")
    #expect((report["advice"] as? [[String: Any]])?.isEmpty == false, "\(family.log)")
  }

  @Test func textReportNamesTheFamily() throws {
    let result = try CLIRunner.run(["classify", "Corpus/startup/permission-denied.log"])
    #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("PERSISTENT"))
    #expect(result.stdout.contains("startup.permission-denied"))
    #expect(result.stdout.contains("/.cache"))
  }

  /// A server on another port is still serving (a Docker Space's `app_port`); the port is
  /// recorded as an info finding with its captures.
  @Test func portHintIsInfoAndStillServing() throws {
    let log = """
      ===== Application Startup at 2026-11-25 12:00:00 =====

      INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)

      """
    let result = try CLIRunner.run(["classify", "--format", "json"], input: log)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let report = try Self.report(result)
    #expect(report["verdict"] as? String == "healthy")
    #expect(report["finalStage"] as? String == "running")
    let findings = try #require(report["findings"] as? [[String: Any]])
    let hint = try #require(findings.first { $0["id"] as? String == "startup.port-hint" })
    #expect(hint["class"] as? String == "info")
    #expect(hint["line"] as? Int == 3)
  }

  @Test func sevenThousandEightHundredSixtyOnAllAddressesGivesNoHint() throws {
    let log = """
      ===== Application Startup at 2026-11-25 12:00:00 =====

      INFO:     Uvicorn running on http://0.0.0.0:7860 (Press CTRL+C to quit)

      """
    let result = try CLIRunner.run(["classify", "--format", "json"], input: log)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let findings = try #require(try Self.report(result)["findings"] as? [[String: Any]])
    #expect(!findings.contains { $0["id"] as? String == "startup.port-hint" })
  }

  /// The engine's marker line for `startup.wrong-port` gives the persistent finding and
  /// fills the advice from its captures.
  @Test func wrongPortMarkerIsPersistent() throws {
    let result = try CLIRunner.run(
      ["classify", "--format", "json"], input: "space-triage: startup.wrong-port (port 8000, host 127.0.0.1)\n")
    #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
    let report = try Self.report(result)
    #expect(report["primary"] as? String == "startup.wrong-port")
    #expect(report["verdict"] as? String == "persistent")
    let advice = try #require(report["advice"] as? [[String: Any]])
    #expect(advice.contains { ($0["text"] as? String)?.contains("8000") == true })
    #expect(advice.contains { ($0["text"] as? String)?.contains("app_port") == true })
  }

  /// A port hint is no evidence of a wrong port when the same attempt also announced a
  /// routable address (werkzeug lists 0.0.0.0 and 127.0.0.1): the launch timeout stays the
  /// primary. Without the routable line the hint becomes `startup.wrong-port`.
  @Test func routableAnnouncementCancelsThePortHint() throws {
    let banner = "===== Application Startup at 2026-05-02 10:00:00 =====\n\n"
    let timeout = "Launch timed out, space was not healthy after 30 min\n"
    let both =
      banner + " * Running on all addresses (0.0.0.0)\n * Running on http://127.0.0.1:7860\n"
      + " * Running on http://10.20.3.4:7860\n" + timeout
    let loopbackOnly = banner + " * Running on http://127.0.0.1:7860\n" + timeout
    let withRoutable = try Self.report(try CLIRunner.run(["classify", "--format", "json"], input: both))
    #expect(withRoutable["primary"] as? String == "startup.launch-timeout")
    let hintOnly = try Self.report(try CLIRunner.run(["classify", "--format", "json"], input: loopbackOnly))
    #expect(hintOnly["primary"] as? String == "startup.wrong-port")
  }

  /// Once an attempt runs, its serving lines and access logs are not matched any more (they
  /// could change nothing), except while a port hint waits for a routable line: an outside
  /// client's 200 after a loopback announcement still cancels the hint.
  @Test func accessLogAfterAPortHintStillCounts() throws {
    let banner = { (hour: Int) in "===== Application Startup at 2026-05-02 \(hour):00:00 =====\n\n" }
    let hint = "Running on local URL:  http://127.0.0.1:7860\n"
    let served = "INFO:     10.16.4.123:41234 - \"GET / HTTP/1.1\" 200 OK\n"
    let report = try Self.report(
      try CLIRunner.run(["classify", "--format", "json"], input: banner(10) + hint + served + banner(11) + hint + served))
    #expect(report["verdict"] as? String == "healthy")
    #expect(report["primary"] is NSNull)
  }

  /// Access-log lines prove serving only for 2xx/3xx answers to outside clients.
  @Test func accessLogOnlyCountsSuccessfulOutsideAnswers() throws {
    let served = "INFO:     10.16.4.123:41234 - \"GET / HTTP/1.1\" 200 OK\n"
    let failed = "INFO:     10.16.4.123:41234 - \"GET / HTTP/1.1\" 500 Internal Server Error\n"
    let loopback = "INFO:     127.0.0.1:41234 - \"GET /health HTTP/1.1\" 200 OK\n"
    let servedReport = try Self.report(try CLIRunner.run(["classify", "--format", "json"], input: served))
    #expect(servedReport["verdict"] as? String == "healthy")
    for text in [failed, loopback] {
      let report = try Self.report(try CLIRunner.run(["classify", "--format", "json"], input: text))
      #expect(report["verdict"] as? String != "healthy", "\(text)")
    }
  }
}
