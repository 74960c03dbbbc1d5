package import SpaceHistory
public import SpaceTriage

/// What `doctor` concluded about one Space: runtime, log verdict, checks and one merged list of
/// next steps.
public struct DoctorReport: Sendable {
  /// A next step and where it came from (a check id, or the log's primary finding id).
  package struct Step: Sendable, Equatable {
    package var action: String
    package var text: String
    package var from: String
  }

  package var snapshot: SpaceSnapshot
  /// Failed checks, most severe first.
  package var checks: [CheckResult]
  /// README front matter values `doctor` shows (`sdk`, `sdk_version`, …).
  package var config: [(String, String)]
  /// The log verdict (remote only): the same engine as `classify`, build and run logs merged.
  public var logs: Report?
  /// Events read from the build and run logs.
  public var logEvents: (build: Int, run: Int)?
  /// The input line that holds the runtime's `errorMessage`, when it was added to the logs.
  public var errorMessageLine: Int?
  /// One list of next steps in the troubleshooting order.
  package var nextSteps: [Step]
  /// Where the attempts of the merged logs start (remote only): for the history store.
  package var attemptIndex: AttemptIndex?

  init(snapshot: SpaceSnapshot, checks: SpaceChecks, logs: Report?, logEvents: (Int, Int)?, errorMessageLine: Int?) {
    self.snapshot = snapshot
    self.checks = checks.run()
    self.logs = logs
    self.logEvents = logEvents.map { (build: $0.0, run: $0.1) }
    self.errorMessageLine = errorMessageLine
    var config: [(String, String)] = []
    if let matter = checks.frontMatter {
      for key in ["sdk", "sdk_version", "python_version", "app_file", "app_port", "suggested_hardware", "startup_duration_timeout"] {
        if let value = matter[key] { config.append((key, value)) }
      }
      if matter.has("preload_from_hub") { config.append(("preload_from_hub", "yes")) }
    }
    self.config = config
    nextSteps = []
    nextSteps = mergeSteps()
  }

  /// The log verdict, read with the runtime: an empty or inconclusive log of a Space the Hub
  /// reports `RUNNING` is healthy; a log that looks healthy of a Space in an error stage is unknown.
  public var logVerdict: Verdict? {
    guard let logs else { return nil }
    if logs.verdict == .unknown, logs.primary == nil, snapshot.runtime?.stage == "RUNNING" { return .healthy }
    // The Hub knows better than a log that shows no failure (a completed build, then a crash
    // no entry names): the Space failed, the logs do not say why.
    if logs.verdict == .healthy, snapshot.runtime?.isError == true { return .unknown }
    return logs.verdict
  }

  /// Whether the Space is failing: the log verdict is not healthy or the runtime is in an error stage.
  public var isFailing: Bool {
    (logVerdict.map { $0 != .healthy } ?? false) || (snapshot.runtime?.isError ?? false)
  }

  package var errorChecks: [CheckResult] { checks.filter { $0.severity == .error } }

  /// Whether an `error` check explains the failure (remote), or any error check (local).
  public var checksExplainFailure: Bool {
    guard !errorChecks.isEmpty else { return false }
    return snapshot.isRemote ? isFailing : true
  }

  /// The verdict the exit status stands for: persistent when an error check explains the
  /// failure; else the log verdict (remote) or healthy (local).
  public var exitVerdict: Verdict {
    if checksExplainFailure { return .persistent }
    return snapshot.isRemote ? (logVerdict ?? .unknown) : .healthy
  }

  /// Error checks' steps (configuration, hardware, secrets, code, pins, start-up), then the
  /// log verdict's ladder, then the warnings' and hints' steps; each text once.
  func mergeSteps() -> [Step] {
    var steps: [Step] = []
    var seen: Set<String> = []
    func add(_ step: DoctorStep, from: String) {
      guard seen.insert(step.text).inserted else { return }
      steps.append(Step(action: step.action, text: step.text, from: from))
    }
    func checkSteps(_ severity: CheckSeverity) {
      let ordered = checks.enumerated().filter { $0.element.severity == severity }.sorted {
        ($0.element.area, $0.offset) < ($1.element.area, $1.offset)
      }
      for (_, check) in ordered { for step in check.advice { add(step, from: check.id) } }
    }
    checkSteps(.error)
    if let logs, logVerdict != .healthy {
      // A step the checks already gave with the values filled in replaces the log's generic one
      // (e.g. "add the secret" → "add HF_TOKEN").
      let actions = Set(steps.map(\.action))
      for step in logs.advice
      where
        !(actions.contains(step.action)
        && ["add-secret", "upgrade-hardware", "import-spaces-first", "move-cuda-into-gpu", "lower-gpu-duration", "align-sdk-version"].contains(step.action))
      {
        add(DoctorStep(step.action, step.text), from: logs.primary ?? "logs")
      }
    }
    checkSteps(.warning)
    checkSteps(.hint)
    return steps
  }
}

// MARK: - Rendering

extension DoctorReport {
  /// The report as text: one screen.
  public func text(color: Bool = false) -> String {
    let paint = TextReporter(color: color)
    var out = ""
    let name = snapshot.space ?? snapshot.directory ?? "."
    let verdict = exitVerdict
    let headline: String
    if snapshot.isRemote {
      headline = checksExplainFailure ? "PERSISTENT" : verdict.rawValue.uppercased()
    } else {
      headline = errorChecks.isEmpty ? "OK" : "ERRORS"
    }
    out += "\(paint.paint(headline, TextReporter.verdictColor(verdict), bold: true))  doctor \(TextReporter.safe(name))"
    if let isPrivate = snapshot.isPrivate, isPrivate { out += " (private)" }
    if !snapshot.isRemote { out += " (local folder: code and configuration only)" }
    out += "\n"
    if let runtime = snapshot.runtime {
      var line = "  runtime: \(runtime.stage)  hardware: \(runtime.hardwareCurrent ?? "none")"
      if let requested = runtime.hardwareRequested, requested != runtime.hardwareCurrent { line += " (requested: \(requested))" }
      out += line + "\n"
      if let message = runtime.errorMessage { out += "  error message: \(TextReporter.safe(message))\n" }
    }
    if !config.isEmpty {
      out += "  config: " + config.map { "\($0.0): \(TextReporter.safe($0.1))" }.joined(separator: "  ") + "\n"
    }
    if let logs {
      let events = logEvents.map { " (\($0.build) build + \($0.run) run events)" } ?? ""
      let stage = logs.finalStage.map { " at stage \($0.rawValue)" } ?? ""
      out += "  logs: \(logVerdict?.rawValue ?? logs.verdict.rawValue)\(stage)\(events)\n"
      if let primary = logs.primaryFinding {
        out += "    \(primary.id): \(primary.title)\n"
        let origin =
          primary.line != errorMessageLine
          ? "line \(primary.line)"
          : primary.firstLine != primary.line ? "runtime errorMessage (first at log line \(primary.firstLine))" : "runtime errorMessage"
        out += "    \(origin): \(TextReporter.safe(primary.text))\n"
      } else if logs.lines == 0 {
        out += "    the logs are empty\n"
      }
    }
    if checks.isEmpty {
      out += "  checks: all passed\n"
    } else {
      let counts = CheckSeverity.allCases.compactMap { severity -> String? in
        let count = checks.filter { $0.severity == severity }.count
        return count == 0 ? nil : "\(count) \(severity.rawValue)\(count == 1 ? "" : "s")"
      }
      out += "  checks: " + counts.joined(separator: ", ") + "\n"
      for check in checks {
        let mark =
          check.severity == .error
          ? paint.paint("error  ", "31", bold: true)
          : check.severity == .warning ? paint.paint("warning", "33") : "hint   "
        out += "    \(mark) \(check.id) \(check.location)\n      \(TextReporter.safe(check.message))\n"
      }
    }
    if !nextSteps.isEmpty {
      out += "  next steps:\n"
      for (number, step) in nextSteps.enumerated() { out += "    \(number + 1). \(TextReporter.safe(step.text))\n" }
    }
    for note in snapshot.notes { out += "  note: \(TextReporter.safe(note))\n" }
    return Redactor.standard.redact(out)
  }

  /// The whole report as one JSON object (schema in the README).
  public func json() -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("mode", .string(snapshot.isRemote ? "remote" : "local")),
      ("space", .optional(snapshot.space)),
      ("directory", .optional(snapshot.directory)),
    ]
    if let runtime = snapshot.runtime {
      fields.append(
        (
          "runtime",
          .object([
            ("stage", .string(runtime.stage)),
            ("hardware", .object([("current", .optional(runtime.hardwareCurrent)), ("requested", .optional(runtime.hardwareRequested))])),
            ("errorMessage", .optional(runtime.errorMessage)),
            ("private", snapshot.isPrivate.map(JSONValue.bool) ?? .null),
          ])
        ))
    } else {
      fields.append(("runtime", .null))
    }
    fields.append(("config", .object(config.map { ($0.0, .string($0.1)) })))
    fields.append(("files", .array(snapshot.files.keys.sorted().map(JSONValue.string))))
    if let logs {
      var logFields: [(String, JSONValue)] = [("verdict", .optional(logVerdict?.rawValue))]
      logFields.append(("buildEvents", .int(logEvents?.build ?? 0)))
      logFields.append(("runEvents", .int(logEvents?.run ?? 0)))
      logFields.append(("errorMessageLine", errorMessageLine.map(JSONValue.int) ?? .null))
      logFields.append(("report", JSONReporter.report(logs)))
      fields.append(("logs", .object(logFields)))
    } else {
      fields.append(("logs", .null))
    }
    fields.append(("checks", .array(checks.map(DoctorReport.checkJSON))))
    fields.append(
      (
        "nextSteps",
        .array(
          nextSteps.map {
            .object([("action", .string($0.action)), ("text", .string($0.text)), ("from", .string($0.from))])
          })
      ))
    fields.append(("notes", .array(snapshot.notes.map(JSONValue.string))))
    fields.append(("verdict", .string(exitVerdict.rawValue)))
    fields.append(("checksExplainFailure", .bool(checksExplainFailure)))
    return .object(fields)
  }

  static func checkJSON(_ check: CheckResult) -> JSONValue {
    .object([
      ("id", .string(check.id)), ("severity", .string(check.severity.rawValue)), ("title", .string(check.title)),
      ("file", .optional(check.file)), ("line", check.line.map(JSONValue.int) ?? .null), ("message", .string(check.message)),
      ("advice", .array(check.advice.map { .object([("action", .string($0.action)), ("text", .string($0.text))]) })),
    ])
  }

  /// `--format json`: one document.
  public func jsonText() -> String { DoctorReport.redacted(json()).serialized() + "\n" }

  /// `value` with every string redacted (before serialising: redacting JSON text could eat an
  /// escape and break the document).
  static func redacted(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): return .string(Redactor.standard.redact(text))
    case .array(let items): return .array(items.map(redacted))
    case .object(let fields): return .object(fields.map { ($0.0, redacted($0.1)) })
    default: return value
    }
  }

  /// `--format ndjson`: `{"event": "check", …}` per check, `{"event": "logs", "report": REPORT}`
  /// (remote), then `{"event": "doctor", …}` with the whole report.
  public func ndjsonText() -> String {
    var lines: [String] = []
    for check in checks {
      guard case .object(let fields) = DoctorReport.checkJSON(check) else { continue }
      lines.append(DoctorReport.redacted(.object([("event", .string("check"))] + fields)).serialized())
    }
    if let logs {
      lines.append(
        DoctorReport.redacted(
          .object([
            ("event", .string("logs")), ("verdict", .optional(logVerdict?.rawValue)), ("report", JSONReporter.report(logs)),
          ])
        ).serialized())
    }
    if case .object(let fields) = json() { lines.append(DoctorReport.redacted(.object([("event", .string("doctor"))] + fields)).serialized()) }
    return lines.joined(separator: "\n") + "\n"
  }
}
