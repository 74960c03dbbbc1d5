package import Foundation
package import SpaceHistory
package import SpaceTriage

/// `space-triage heal OWNER/NAME`: acts on the advice within the troubleshooting budget.
///
/// Only when the primary finding's class is transient (escalated or not) and no `error` check
/// explains the failure: restart once (`POST /api/spaces/{id}/restart`) and watch until a
/// verdict; if the same transient failure comes back, factory rebuild once
/// (`…/restart?factory=true`) and watch; if it comes back again, stop: persistent, escalated.
/// Stops as soon as a watch ends healthy. The budget (one restart and one factory rebuild per
/// Space per 24 h) is kept in the history store, so a cron job cannot loop. A dry run unless
/// `apply`.
package final class Healer {
  package enum Action: String, Sendable, CaseIterable {
    case restart
    case factoryRebuild = "factory-rebuild"

    var path: String { self == .restart ? "restart" : "restart?factory=true" }
    var words: String { self == .restart ? "restart" : "factory rebuild" }
  }

  package struct Options: Sendable {
    /// Act (`--yes`); otherwise print the plan only.
    package var apply = false
    /// `doctor`'s `--log-wait` for each look at the logs.
    package var logWait: Double = 3
    /// Seconds between two looks at the runtime while a restart settles.
    package var pollInterval: Double = 10
    /// Give up waiting for the runtime to settle after this many seconds (then read the logs anyway).
    package var watchTimeout: Double = 1800
    package init() {}
  }

  package static let budgetWindow: TimeInterval = 24 * 3600
  /// Runtime stages after which a restart has settled (`SpaceStage`).
  static let settled: Set<String> = ["RUNNING", "BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "PAUSED", "SLEEPING", "STOPPED"]

  let space: String
  let endpoint: URL
  let token: String?
  let catalog: CompiledCatalog
  let store: HistoryStore?
  let options: Options
  let now: () -> Date
  let say: (String) -> Void

  package init(
    space: String, endpoint: URL, token: String?, catalog: CompiledCatalog, store: HistoryStore?, options: Options,
    now: @escaping () -> Date = Date.init, say: @escaping (String) -> Void
  ) {
    self.space = space
    self.endpoint = endpoint
    self.token = token
    self.catalog = catalog
    self.store = store
    self.options = options
    self.now = now
    self.say = say
  }

  /// Diagnoses, plans, acts (with `apply`); returns the verdict the Space ends with.
  ///
  /// - Throws: ``SpaceLogsError`` (404, 401/403 — for a restart, naming the write scope — network).
  package func run() throws -> Verdict {
    var report = try diagnose()
    say("\(headline(report))")
    if report.exitVerdict == .healthy {
      say("nothing to do: the Space is healthy")
      return .healthy
    }
    guard let primary = transientPrimary(report) else {
      say("not acting: \(reasonNotToAct(report)); heal restarts only for a transient failure (see `space-triage doctor \(space)`)")
      return report.exitVerdict
    }
    let taken: [String] = (try? store?.actionsTaken(space: space, within: Healer.budgetWindow, now: now())) ?? []
    let ladder = Action.allCases.filter { !taken.contains($0.rawValue) }
    if ladder.isEmpty {
      say("budget spent: a restart and a factory rebuild were already sent within 24 h, and `\(primary.id)` is still there")
      stop(primary)
      return .persistent
    }
    say("plan (budget: one restart and one factory rebuild per Space per 24 h; \(taken.isEmpty ? "nothing sent yet" : "already sent: \(taken.joined(separator: ", "))")):")
    for (number, action) in ladder.enumerated() {
      let condition = number == 0 ? "" : "if `\(primary.id)` comes back, "
      say("  \(number + 1). \(condition)\(action.words) (POST \(endpoint.absoluteString)/api/spaces/\(space)/\(action.path)) and watch until a verdict")
    }
    say("  \(ladder.count + 1). if it comes back again: stop and report it persistent")
    guard options.apply else {
      say("dry run: nothing was sent; run again with --yes to act (needs HF_TOKEN with write access)")
      return report.exitVerdict
    }
    guard let store else {
      say("not acting: heal keeps its budget in the history store, which cannot be used; nothing was sent")
      return report.exitVerdict
    }
    let hub = HubClient(endpoint: endpoint, space: space, token: token)
    for action in ladder {
      let answer = try hub.post("/api/spaces/\(space)/\(action.path)")
      if answer.status == 401 || answer.status == 403 {
        _ = try? store.recordAction(space: space, kind: action.rawValue, outcome: "refused", detail: "HTTP \(answer.status)", now: now())
        say("\(action.words): refused (HTTP \(answer.status)); nothing was restarted")
      }
      do {
        try hub.checkWrite(answer.status, what: "a \(action.words)")
      } catch {
        if answer.status != 401 && answer.status != 403 {
          _ = try? store.recordAction(space: space, kind: action.rawValue, outcome: "failed", detail: "HTTP \(answer.status)", now: now())
          say("\(action.words): failed (HTTP \(answer.status))")
        }
        throw error
      }
      let id = try store.recordAction(space: space, kind: action.rawValue, outcome: "sent", now: now())
      say("\(action.words): sent; watching until a verdict")
      try settle(hub)
      report = try diagnose()
      let outcome = outcomeWords(report)
      try? store.updateAction(id, outcome: report.exitVerdict.rawValue, detail: outcome)
      say("  after the \(action.words): \(outcome)")
      if report.exitVerdict == .healthy {
        say("HEALTHY  \(space) after a \(action.words)")
        return .healthy
      }
      guard let again = transientPrimary(report), again.id == primary.id else {
        say("stopping: the failure changed; \(headline(report))")
        return report.exitVerdict
      }
    }
    say("`\(primary.id)` came back after \(ladder.map(\.words).joined(separator: " and "))")
    stop(primary)
    return .persistent
  }

  /// Prints the stop: persistent, escalated, with the inspect steps.
  func stop(_ primary: Finding) {
    say("PERSISTENT  \(space)  (escalated: it came back after a restart and a factory rebuild; heal stops here)")
    say("  next steps:")
    say("    1. Stop retrying and restarting: `\(primary.id)` is not passing for this Space.")
    say(
      "    2. Inspect what this Space does differently: dependency pins in requirements.txt, CUDA touched before `import spaces` or outside `@spaces.GPU`, and the README YAML (sdk_version, python_version, hardware)."
    )
  }

  /// The Space read again, its logs recorded (and escalated across runs) in the history.
  func diagnose() throws -> DoctorReport {
    var report = try Doctor.remote(space: space, endpoint: endpoint, token: token, catalog: catalog, logWait: options.logWait, now: now())
    if let logs = report.logs, let store, let recorded = try? store.record(logs, space: space, command: "heal", attempts: report.attemptIndex, now: now()) {
      report = report.withLogs(recorded.0)
    }
    return report
  }

  /// Polls the runtime until it settles (or the watch times out).
  func settle(_ hub: HubClient) throws {
    let start = Date()
    while true {
      Thread.sleep(forTimeInterval: options.pollInterval)
      let runtime = SpaceRuntimeInfo(json: try hub.json("/api/spaces/\(space)/runtime", what: "the runtime"))
      if let stage = runtime?.stage, Healer.settled.contains(stage) { return }
      if Date().timeIntervalSince(start) >= options.watchTimeout {
        say("  the runtime did not settle within \(Int(options.watchTimeout)) s; reading the logs as they are")
        return
      }
    }
  }

  func transientPrimary(_ report: DoctorReport) -> Finding? {
    guard !report.checksExplainFailure, let logs = report.logs, let primary = logs.primaryFinding,
      primary.signatureClass == .transient
    else { return nil }
    return primary
  }

  func reasonNotToAct(_ report: DoctorReport) -> String {
    if report.checksExplainFailure { return "an error check explains the failure (\(report.errorChecks.map(\.id).joined(separator: ", ")))" }
    guard let primary = report.logs?.primaryFinding else { return "the logs show no failure that says why (\(report.exitVerdict.rawValue))" }
    return "the primary finding `\(primary.id)` is \(primary.signatureClass.rawValue)"
  }

  func headline(_ report: DoctorReport) -> String {
    let stage = report.snapshot.runtime?.stage ?? "?"
    var line = "\(report.exitVerdict.rawValue.uppercased())  \(space)  runtime: \(stage)"
    if let primary = report.logs?.primaryFinding {
      line += "\n  \(primary.id) [\(primary.signatureClass.rawValue)]\(report.logs?.escalated == true ? " (escalated)" : ""): \(TextReporter.safe(primary.text))"
    }
    return line
  }

  func outcomeWords(_ report: DoctorReport) -> String {
    let stage = report.snapshot.runtime?.stage ?? "?"
    let primary = report.logs?.primaryFinding.map { " \($0.id)" } ?? ""
    return "\(report.exitVerdict.rawValue)\(primary) (runtime \(stage))"
  }
}
