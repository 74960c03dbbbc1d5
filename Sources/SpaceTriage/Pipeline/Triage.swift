internal import PCRE2Swift

/// Something that happened while reading an input, in the order it happened (for live output).
public enum TriageEvent: Sendable {
  /// The Space reached a new stage (or a new attempt started).
  case stage(StageMark, attempt: Int)
  /// A catalog entry matched a line for the first time in this attempt.
  case finding(Finding)
}

/// The analysis of one input, fed line by line: stages, findings, then the report.
///
/// Holds only what is reported (findings and stage marks), never the input, so memory does not
/// grow with the input's size.
package final class Triage {
  let matcher: LineMatcher
  let redactor: Redactor
  var tracker = StageTracker()
  var findings: [Int: Finding] = [:]
  var findingOrder: [Int] = []
  private var lastBuildBanner: (line: Int, text: String)?
  private var sawErrorBox = false
  /// The banner and traceback bookkeeping.
  let books = LineBookkeeping()
  /// Per entry, what a match does to the stages: the effect of an info entry (`.none` for a
  /// finding). A flat copy, so that a match copies no `Signature`.
  private let effects: UnsafeMutableBufferPointer<(effect: Effect, stage: Stage)>
  /// Per entry, whether it is of a failure class (a flat copy, like `effects`).
  private let failures: UnsafeMutableBufferPointer<Bool>
  /// Failure-looking lines that no failure entry recognised.
  private let unrecognized: UnrecognizedCollector
  /// What the failure-shape reader knows (Triage+Shapes.swift), behind a pointer: the per-line
  /// checks pay no exclusivity check.
  private let shapeStorage: UnsafeMutablePointer<ShapeState>
  var shapes: ShapeState {
    unsafeAddress { UnsafePointer(shapeStorage) }
    unsafeMutableAddress { shapeStorage }
  }
  /// Whether a failure shape was read on the current line (behind a pointer: no exclusivity
  /// check per line).
  let shapeOnLine: UnsafeMutablePointer<Bool>
  /// Per entry, the repeats of its finding not written yet (Triage+Repeats.swift).
  let repeats: UnsafeMutableBufferPointer<PendingRepeat>
  /// The entries with kept repeats.
  var pendingRepeats: [Int] = []
  /// Per entry, whether its repeats may be kept (see ``repeatable(_:)``).
  let repeatable: [Bool]
  /// The Python exception and Node error shapes: inside an open traceback their matches are
  /// ignored (the traceback reads its own exception line), so they are not run there when the
  /// line is sure to count as failure-looking without them (see ``surelyLooksLikeFailure``).
  private let exceptionShapes: [Int]
  /// Per entry, whether a line whose literals select it surely looks like a failure: a
  /// `looks-like-failure` entry proven by its literal (``LineMatcher/isProvenByLiteral(_:)``).
  private let surelyLooksLikeFailure: UnsafeMutableBufferPointer<Bool>
  /// Called with each event as it happens.
  package var onEvent: ((TriageEvent) -> Void)?

  /// How many attempt numbers a finding lists at most.
  package static let maxAttemptsPerFinding = 64

  /// The id of the entry synthesised when a build shows only its queued banner.
  package static let stuckQueuedID = "build.stuck-queued"

  package convenience init(matcher: LineMatcher, redactor: Redactor = .standard) {
    self.init(matcher: matcher, redactor: redactor, tables: TriageTables(catalog: matcher.catalog))
  }

  /// - Parameter tables: what the triage derives from the catalog's entries, made once by a
  ///   classifier for all its inputs.
  init(matcher: LineMatcher, redactor: Redactor = .standard, tables: TriageTables) {
    self.matcher = matcher
    self.redactor = redactor
    matcher.resetProblems()
    let count = max(1, tables.failures.count)
    effects = .allocate(capacity: count)
    _ = effects.initialize(from: tables.effects)
    failures = .allocate(capacity: count)
    _ = failures.initialize(from: tables.failures)
    unrecognized = UnrecognizedCollector(roles: tables.roles, redactor: redactor)
    shapeStorage = .allocate(capacity: 1)
    shapeStorage.initialize(to: tables.shapes)
    shapeOnLine = .allocate(capacity: 1)
    shapeOnLine.initialize(to: false)
    repeats = .allocate(capacity: count)
    repeats.initialize(repeating: PendingRepeat())
    repeatable = tables.repeatable
    exceptionShapes = tables.exceptionShapes
    surelyLooksLikeFailure = .allocate(capacity: count)
    _ = surelyLooksLikeFailure.initialize(from: tables.surelyLooksLikeFailure)
  }

  deinit {
    shapeStorage.deinitialize(count: 1)
    shapeStorage.deallocate()
    shapeOnLine.deallocate()
    effects.deallocate()
    failures.deallocate()
    _ = repeats.deinitialize()
    repeats.deallocate()
    surelyLooksLikeFailure.deallocate()
  }

  /// Matches one line of log text (decoded, ANSI stripped) and updates the state.
  package func observe(text: UnsafeRawBufferPointer, line: Int, timestamp: @autoclosure () -> String? = nil) {
    observe(text, line, hits: nil, timestamp)
  }

  /// Like ``observe(text:line:timestamp:)``, with the line's literal occurrences already found
  /// by a block scan (``LiteralPrefilter/scan(_:into:)``).
  package func observe(
    text: UnsafeRawBufferPointer, line: Int, hits: LiteralPrefilter.LineHits, timestamp: @autoclosure () -> String? = nil
  ) {
    // A line whose literals select only muted entries (access logs of a Space that runs) changes
    // nothing, unless the bookkeeping needs it.
    if !books.needsEveryLine && matcher.selectsOnlyMuted(hits) { return }
    observe(text, line, hits: hits, timestamp)
  }

  /// Notes a line in which no entry can match (a block scan found no literal in it): only the
  /// traceback and banner bookkeeping look at it.
  package func observeUnmatched(text: UnsafeRawBufferPointer, line: Int) {
    observe(text, line, hits: LiteralPrefilter.LineHits?.none, { nil }, matching: false)
  }

  /// Whether the next line must be observed even if no literal occurs in it: a traceback is
  /// open, or a build banner still waits for a line with text after it.
  package var needsEveryLine: Bool { books.needsEveryLine }

  private func observe(
    _ text: UnsafeRawBufferPointer, _ line: Int, hits: LiteralPrefilter.LineHits?,
    _ timestamp: () -> String?, matching: Bool = true
  ) {
    // What the app printed, without the collector's timestamp (the shapes read it from its start).
    let text = LeadingTimestamp.stripped(text)
    if books.lineStarts(text, line: line) { tracker.observeLine() }
    if books.takesWaitedText(text) { shapeTextArrived(text, line: line) }
    defer {
      if books.endsTraceback(text) { pythonExceptionLine(text, line: line) }
      if shapeOnLine.pointee {
        holdUnnamedShapes(text, line: line)
        commitShapes()
      }
      books.lineEnds(text)
    }
    let handle = { (index: Int) in
      if self.unrecognized.note(index) { return }
      let marker = self.effects[index]
      if marker.effect == .failureShape {
        self.shapeMatched(index, text: text, line: line)
      } else if marker.effect == .errorBoxEnd {
        self.markBoxed()
        self.tracker.observe(effect: .errorBoxEnd, stage: marker.stage, line: line)
      } else if marker.effect != .none {
        let before = self.tracker.stageChanges
        self.tracker.observe(effect: marker.effect, stage: marker.stage, line: line)
        self.books.waitForTextAfterBanner(self.tracker.lastBannerWasBuild && self.tracker.linesSinceBuildBanner == 0)
        if marker.effect == .buildAttempt { self.lastBuildBanner = (line, self.evidence(text)) }
        self.announceStages(since: before)
        if marker.effect == .stage && marker.stage == .running { self.shapes.lineServes = true }
        self.updateRunningMarkers()
        if marker.effect == .appAttempt || marker.effect == .buildAttempt { self.attemptMayHaveEnded() }
      } else {
        self.record(index, text: text, line: line, timestamp: timestamp())
      }
    }
    guard matching else { return }
    // Inside a traceback the exception shapes' matches change nothing (``shapeMatched``
    // returns at once) but make the line failure-looking, which a proven entry does too.
    let skipsExceptionShapes =
      !exceptionShapes.isEmpty && books.traceback.isOpen && hits.map { $0.selectsAny(of: surelyLooksLikeFailure) } == true
    if skipsExceptionShapes { for index in exceptionShapes { matcher.setMuted(index, true) } }
    defer { if skipsExceptionShapes { for index in exceptionShapes { matcher.setMuted(index, false) } } }
    if let hits {
      matcher.forEachMatch(in: text, line: line, hits: hits, handle)
    } else {
      matcher.forEachMatch(in: text, line: line, handle)
    }
    if shapes.lineServes || shapes.lineHinted { servingLineEnded() }
    unrecognized.lineEnded(text, line: line, stage: tracker.stage, template: hits?.template)
  }

  /// The furthest stage of the current attempt, if any was seen.
  package var currentStage: Stage? { tracker.stage }

  /// The attempt that findings are counted in now (1-based).
  package var currentAttempt: Int { tracker.currentAttempt }

  /// The report, once the input has ended.
  ///
  /// - Parameter extra: findings made outside the log's lines (live mode's stall rule); one
  ///   whose id was already found only adds its attempts to that finding.
  package func finish(source: String, lines: Int, bytes: Int, truncatedLines: Int, adding extra: [Finding] = []) -> Report {
    writeAllRepeats()
    addStuckQueuedFinding()
    finishShapes()
    return report(source: source, lines: lines, bytes: bytes, truncatedLines: truncatedLines, adding: extra)
  }

  /// The report as it stands now, without ending the input (live mode's provisional verdict).
  ///
  /// Unlike ``finish(source:lines:bytes:truncatedLines:adding:)`` it changes nothing: the
  /// end-of-input rules (a build that shows only its queued banner) are not applied.
  package func report(source: String, lines: Int, bytes: Int, truncatedLines: Int, adding extra: [Finding] = []) -> Report {
    writeAllRepeats()
    materializeShapes()
    var ordered = findingOrder.compactMap { findings[$0] }
    for finding in extra {
      guard let index = ordered.firstIndex(where: { $0.id == finding.id }) else {
        ordered.append(finding)
        continue
      }
      // The same id already matched a line: it recurs in the extra finding's attempts.
      ordered[index].attempts = Array(Set(ordered[index].attempts + finding.attempts)).sorted()
    }
    let summary = StageSummary(
      attempts: lines == 0 ? 0 : tracker.currentAttempt, lastStage: tracker.stage,
      reachedRunning: tracker.reachedRunning, buildCompleted: tracker.buildCompleted,
      buildCompletedLine: tracker.buildCompletedLine, runningLine: tracker.runningLine)
    let decision = VerdictEngine.decide(findings: ordered, stages: summary)
    let problems = matcher.regexProblems.map { problem in
      let signature = matcher.catalog.signatures[problem.signature]
      return "\(signature.location): \(signature.id): pattern gave up on line \(problem.line) "
        + "(\(problem.error.message)); treated as not matching"
    }
    return Report(
      source: redactor.redact(source), lines: lines, bytes: bytes, truncatedLines: truncatedLines,
      verdict: decision.verdict, finalStage: decision.finalStage, primary: decision.primary,
      escalated: decision.escalated, attempts: summary.attempts, stages: tracker.history,
      findings: ordered, advice: decision.advice, catalogProblems: problems,
      unrecognized: unrecognized.lines(), reason: decision.reason)
  }

  // MARK: - Recording

  private func record(_ index: Int, text: UnsafeRawBufferPointer, line: Int, timestamp: String?) {
    if index == shapes.portHintIndex {
      shapes.lineHinted = true
      notePortHint(text: text, line: line)
    }
    let isFailure = failures[index]
    if isFailure {
      shapes.lastSpecificLine = line
      let before = tracker.stageChanges
      tracker.observeFailure(stage: effects[index].stage, line: line)
      if tracker.stageChanges != before {
        announceStages(since: before)
        updateRunningMarkers()
      }
    }
    let attempt = tracker.currentAttempt
    // A repeat in an attempt the finding occurs in: its strings are written later.
    if keepRepeat(index, attempt: attempt, text: text, line: line, timestamp: timestamp, keepingContext: isFailure) { return }
    let rawContext = isFailure ? books.traceback.context(forFailureAt: line, text: text) : []
    writeRepeats(index)
    defer { noteWritten(index, attempt: attempt) }
    let signature = matcher.catalog.signatures[index]
    let captures = matcher.captures(of: index, in: text).mapValues { redactor.redact($0) }
    let evidenceText = evidence(text)
    let context = rawContext.map { redactor.redact($0) }
    if var finding = findings[index] {
      finding.context = context
      let newAttempt = !finding.occurs(inAttempt: attempt)
      finding.count += 1
      finding.line = line
      finding.text = evidenceText
      if captures != finding.captures {
        finding.captures = captures
        finding.advice = signature.advice.map { $0.filled(with: captures) }
      }
      finding.timestamp = timestamp
      // The first attempts are enough to show recurrence; memory stays flat on restart loops.
      if newAttempt && finding.attempts.count < Triage.maxAttemptsPerFinding { finding.attempts.append(attempt) }
      findings[index] = finding
      if newAttempt { onEvent?(.finding(finding)) }
    } else {
      let finding = Finding(
        id: signature.id, title: signature.title, stage: signature.stage,
        signatureClass: signature.signatureClass, priority: signature.priority, line: line,
        attempts: [attempt], text: evidenceText, captures: captures, timestamp: timestamp,
        advice: signature.advice.map { $0.filled(with: captures) }, context: context)
      findings[index] = finding
      findingOrder.append(index)
      onEvent?(.finding(finding))
    }
  }

  /// Everything found so far was inside a pasted error box (only the first box counts).
  private func markBoxed() {
    guard !sawErrorBox else { return }
    sawErrorBox = true
    for (index, var finding) in findings {
      finding.isBoxed = true
      findings[index] = finding
    }
  }

  /// A build log that ends right after its queued banner is the "stuck on Building" bucket.
  private func addStuckQueuedFinding() {
    guard tracker.lastBannerWasBuild, tracker.linesSinceBuildBanner == 0, let banner = lastBuildBanner,
      let index = matcher.catalog.index(of: Triage.stuckQueuedID), findings[index] == nil
    else { return }
    // A `Job failed …` or `Unexpected …error` box around the banner: the build failed.
    let attempt = tracker.currentAttempt
    guard !findings.values.contains(where: { $0.signatureClass.isFailure && ($0.isBoxed || $0.occurs(inAttempt: attempt)) })
    else { return }
    let signature = matcher.catalog.signatures[index]
    let finding = Finding(
      id: signature.id, title: signature.title, stage: signature.stage,
      signatureClass: signature.signatureClass, priority: signature.priority, line: banner.line,
      attempts: [tracker.currentAttempt], text: banner.text, advice: signature.advice)
    findings[index] = finding
    findingOrder.append(index)
    onEvent?(.finding(finding))
  }

  func announceStages(since count: Int) {
    guard let onEvent, tracker.stageChanges > count else { return }
    let first = max(0, count - tracker.droppedHistory)
    for mark in tracker.history[first...] { onEvent(.stage(mark, attempt: tracker.currentAttempt)) }
  }

  /// The reported form of a line: redacted, at most 500 characters.
  func evidence(_ text: UnsafeRawBufferPointer) -> String {
    let line = redactor.redact(String(decoding: text, as: UTF8.self))
    return line.utf8.count > 500 && line.count > 500 ? String(line.prefix(500)) : line
  }
}
