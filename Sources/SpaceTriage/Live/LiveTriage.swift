/// Live mode's analysis: lines as they arrive, each stage change and finding as an event, a
/// provisional verdict as soon as something fails, and the stall rule no regex can see.
///
/// `line → LineDecoder → Triage` as in ``Classifier``, plus:
/// - **Provisional verdicts.** Once a failure (or a stall) has been seen, the verdict so far is
///   sent as a ``Event/provisional(_:)`` event, and sent again whenever it changes (a new attempt
///   that reaches `running` turns it `healthy`).
/// - **The stall rule.** When no new log text arrived for ``stallAfter`` while the current stage
///   is `build` or `startup`, ``tick()`` adds a finding: `build.stuck-queued` in `build` (the
///   "stuck on Building" bucket), ``startupStallID`` in `startup`. The catalog's entry of that
///   id gives the title, class and advice when it has one; built-in wording is used otherwise.
///   When the log moves on, the stall finding is withdrawn (``Event/stallEnded(_:)``): it was
///   slow, not stuck.
///
/// SSE keep-alives and blank lines are not log text: they never reset the stall clock. Time
/// comes from the injected `now` closure, so tests drive the clock by hand. Not thread-safe:
/// one caller (or one serial queue) at a time.
package final class LiveTriage {
  /// Something to show the person watching, in the order it happened.
  package enum Event: Sendable {
    /// The Space reached a new stage (or a new attempt started).
    case stage(StageMark, attempt: Int)
    /// A catalog entry matched a line for the first time in this attempt, or the stall rule fired.
    case finding(Finding)
    /// The verdict so far (the report as it stands). Sent first when a failure is seen, then
    /// each time the verdict, its primary, its stage or its escalation changes.
    case provisional(Report)
    /// The log moved on after a stall finding: the finding is withdrawn.
    case stallEnded(Finding)
  }

  /// The id of the finding for a start-up that produces no new line for ``stallAfter``.
  package static let startupStallID = "startup.stalled"

  /// The input's name in reports.
  package let source: String
  /// How long without a new log line counts as a stall in `build` or `startup` (`nil`: never).
  package let stallAfter: Duration?
  /// Called with each event as it happens.
  package var onEvent: ((Event) -> Void)?

  private let catalog: CompiledCatalog
  private let triage: Triage
  private let decoder: LineDecoder
  private let redactor: Redactor
  private let now: () -> ContinuousClock.Instant

  private var lines = 0
  private var bytes = 0
  private var truncatedLines = 0
  private var lastActivity: ContinuousClock.Instant
  private var lastText: [UInt8] = []
  private var lastTextLine = 0
  private var stall: Finding?
  private var sawFailure = false
  private var changed = false
  private var finishing = false
  private var shownVerdict: (verdict: Verdict, primary: String?, stage: Stage?, escalated: Bool)?

  /// Creates the live analysis of one input.
  ///
  /// - Parameters:
  ///   - catalog: the compiled catalog.
  ///   - source: the input's name in reports (a path, `-`, or the Space).
  ///   - stallAfter: the stall rule's quiet time (default 600 s, docs/stages-and-verdicts.md); `nil` turns it off.
  ///   - redactor: applied to the evidence of stall findings (findings from lines are redacted
  ///     by ``Triage``).
  ///   - now: the clock; inject one to test the stall rule without waiting.
  package init(
    catalog: CompiledCatalog, source: String, stallAfter: Duration? = .seconds(600),
    redactor: Redactor = .standard, now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }
  ) {
    self.catalog = catalog
    self.source = redactor.redact(source)
    self.stallAfter = stallAfter
    self.triage = Triage(matcher: LineMatcher(catalog: catalog), redactor: redactor)
    self.decoder = LineDecoder()
    self.redactor = redactor
    self.now = now
    self.lastActivity = now()
    triage.onEvent = { [unowned self] event in self.forward(event) }
  }

  // MARK: - Feeding

  /// Analyses one raw input line (as ``LineReader`` hands it out) and sends its events.
  package func observe(_ line: RawLine) {
    observe(line.bytes, truncated: line.isTruncated)
  }

  /// Analyses one raw input line without its terminator and sends its events.
  package func observe(_ raw: UnsafeRawBufferPointer, truncated: Bool = false) {
    lines &+= 1
    bytes &+= raw.count &+ 1
    if truncated { truncatedLines &+= 1 }
    let number = lines
    var active = false
    decoder.decode(raw) { text in
      triage.observe(text: text, line: number, timestamp: decoder.lastTimestamp)
      if LineBookkeeping.hasText(text) {
        active = true
        lastText.removeAll(keepingCapacity: true)
        lastText.append(contentsOf: text.prefix(2048))
        lastTextLine = number
      }
    }
    if active {
      lastActivity = now()
      if let ended = stall {
        stall = nil
        changed = true
        onEvent?(.stallEnded(ended))
      }
    }
    if changed { updateProvisional() }
  }

  /// Applies the stall rule at the current time; call it regularly (every second or so).
  package func tick() {
    guard let stallAfter, stall == nil, lastTextLine > 0, !finishing,
      let stage = triage.currentStage, stage == .build || stage == .startup,
      now() - lastActivity >= stallAfter
    else { return }
    let finding = stallFinding(stage: stage, quiet: stallAfter)
    stall = finding
    sawFailure = true
    onEvent?(.finding(finding))
    updateProvisional()
  }

  // MARK: - Reports

  /// Lines read so far.
  package var lineCount: Int { lines }

  /// The report as it stands now (the input has not ended).
  package func report() -> Report {
    triage.report(
      source: source, lines: lines, bytes: bytes, truncatedLines: truncatedLines, adding: stall.map { [$0] } ?? [])
  }

  /// The final report: at end of input, or when the watch is interrupted.
  ///
  /// - Parameter bytesRead: the exact byte count when the caller knows it (the reader's);
  ///   otherwise the bytes of the lines read, each terminator counted as one byte.
  package func finish(bytesRead: Int? = nil) -> Report {
    finishing = true
    return triage.finish(
      source: source, lines: lines, bytes: bytesRead ?? bytes, truncatedLines: truncatedLines,
      adding: stall.map { [$0] } ?? [])
  }

  // MARK: - Events

  private func forward(_ event: TriageEvent) {
    switch event {
    case .stage(let mark, let attempt):
      changed = true
      onEvent?(.stage(mark, attempt: attempt))
    case .finding(let finding):
      // At the end, the queued-banner rule may add the id the stall rule already stands for.
      if finishing && finding.id == stall?.id { return }
      changed = true
      if finding.signatureClass.isFailure { sawFailure = true }
      onEvent?(.finding(finding))
    }
  }

  private func updateProvisional() {
    changed = false
    guard sawFailure, !finishing else { return }
    let current = report()
    let key = (current.verdict, current.primary, current.finalStage, current.escalated)
    if let shown = shownVerdict, shown == key { return }
    shownVerdict = key
    onEvent?(.provisional(current))
  }

  // MARK: - Stall findings

  private func stallFinding(stage: Stage, quiet: Duration) -> Finding {
    let id = stage == .build ? Triage.stuckQueuedID : LiveTriage.startupStallID
    let seconds = LiveTriage.seconds(quiet)
    let captures = ["seconds": seconds]
    var line = redactor.redact(String(decoding: lastText, as: UTF8.self))
    if line.count > 500 { line = String(line.prefix(500)) }
    if let index = catalog.index(of: id) {
      let signature = catalog.signatures[index]
      return Finding(
        id: id, title: signature.title, stage: signature.stage, signatureClass: signature.signatureClass,
        priority: signature.priority, line: lastTextLine, attempts: [triage.currentAttempt], text: line,
        captures: captures, advice: signature.advice.map { $0.filled(with: captures) })
    }
    let builtIn = LiveTriage.builtInStall(stage: stage, seconds: seconds)
    return Finding(
      id: id, title: builtIn.title, stage: stage, signatureClass: .transient, priority: 10, line: lastTextLine,
      attempts: [triage.currentAttempt], text: line, captures: captures, advice: builtIn.advice)
  }

  /// `600` for 600 s, `0.5` for half a second.
  static func seconds(_ duration: Duration) -> String {
    let (whole, fraction) = duration.components
    let tenths = fraction / 100_000_000_000_000_000
    return tenths == 0 ? String(whole) : "\(whole).\(tenths)"
  }

  /// Wording for a stall when the catalog has no entry of that id.
  static func builtInStall(stage: Stage, seconds: String) -> (title: String, advice: [AdviceStep]) {
    if stage == .build {
      return (
        "Build stuck: no new build log line for \(seconds) s",
        [
          AdviceStep(action: "wait", text: "Builds can sit in the queue for a while: wait a few more minutes."),
          AdviceStep(action: "restart-once", text: "Still no progress: restart the Space once (Settings → Restart)."),
          AdviceStep(
            action: "factory-rebuild",
            text: "Stuck again: do a factory rebuild; if a step hangs (a wheel compiling from source), pin a version that ships a wheel."),
        ]
      )
    }
    return (
      "Start-up stalled: no new log line for \(seconds) s while the app starts",
      [
        AdviceStep(
          action: "wait",
          text: "A large model download or a slow first import can be silent: wait up to the 30-minute launch timeout."),
        AdviceStep(action: "restart-once", text: "No progress after that: restart the Space once."),
        AdviceStep(
          action: "fix-startup",
          text: "Stalls again: find what the app blocks on before it serves its port (a download, a lock, input(), a service that never answers) and log progress around it."),
      ]
    )
  }
}
