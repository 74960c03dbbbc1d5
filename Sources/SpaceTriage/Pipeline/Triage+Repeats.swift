/// A finding matched again in an attempt it already occurs in: only its count and its evidence
/// line change, so the line is kept as bytes and its strings (evidence, captures, advice) are
/// written when a report is made. No string per repeat, and memory stays flat: one reused byte
/// buffer per entry, at most ``maxBytes`` long (a longer line is written at once).
struct PendingRepeat {
  /// The longest line kept as bytes.
  static let maxBytes = 4096
  /// The attempt the finding is known to occur in (`-1`: take the slow path).
  var attempt = -1
  /// The finding lists as many attempts as it may and no one is told of findings: a repeat in
  /// any attempt changes only its count and evidence.
  var anyAttempt = false
  /// Repeats kept since the finding was last written.
  var count = 0
  /// Whether the entry is in the triage's list of entries with kept repeats.
  var listed = false
  var line = 0
  var bytes: [UInt8] = []
  var timestamp: String?
  /// Whether the line ended a traceback, kept in `traceback` for its context lines (most
  /// lines have none).
  var hasContext = false
  var traceback = KeptTraceback()
}

extension Triage {
  /// Entries whose findings no other code writes: every entry a line can match except the
  /// engine's synthetic ones (shapes, port hint, stuck queued), whose findings the shape
  /// bookkeeping also moves.
  static func repeatable(_ catalog: CompiledCatalog) -> [Bool] {
    var result = Array(repeating: true, count: catalog.signatures.count)
    for id in [appExceptionID, networkErrorID, requestErrorID, portHintID, wrongPortID, stuckQueuedID] {
      if let index = catalog.index(of: id) { result[index] = false }
    }
    return result
  }

  /// Keeps a repeat of finding `index` if it already occurs in `attempt`; returns whether it did.
  ///
  /// - Parameter keepingContext: whether the line's traceback context counts (a failure line).
  @inline(__always)
  func keepRepeat(
    _ index: Int, attempt: Int, text: UnsafeRawBufferPointer, line: Int, timestamp: String?, keepingContext: Bool
  ) -> Bool {
    guard repeats[index].attempt == attempt || (repeats[index].anyAttempt && onEvent == nil),
      text.count <= PendingRepeat.maxBytes
    else { return false }
    if !repeats[index].listed {
      repeats[index].listed = true
      pendingRepeats.append(index)
    }
    repeats[index].count &+= 1
    repeats[index].line = line
    repeats[index].bytes.replace(with: text)
    repeats[index].timestamp = timestamp
    repeats[index].hasContext = keepingContext && books.traceback.endsOnFailure(text)
    if repeats[index].hasContext { books.traceback.keep(into: &repeats[index].traceback) }
    return true
  }

  /// After finding `index` was written on the slow path: later repeats in this attempt may be kept.
  func noteWritten(_ index: Int, attempt: Int) {
    guard repeatable[index], let finding = findings[index] else { return }
    if finding.occurs(inAttempt: attempt) { repeats[index].attempt = attempt }
    repeats[index].anyAttempt = onEvent == nil && finding.attempts.count >= Triage.maxAttemptsPerFinding
  }

  /// Writes the repeats kept for finding `index` into it (as the slow path would have).
  func writeRepeats(_ index: Int) {
    guard repeats[index].count > 0, var finding = findings[index] else { return }
    let kept = repeats[index]
    repeats[index].count = 0
    let signature = matcher.catalog.signatures[index]
    kept.bytes.withUnsafeBytes { text in
      let captures = matcher.captures(of: index, in: text).mapValues { redactor.redact($0) }
      finding.count += kept.count
      finding.line = kept.line
      finding.text = evidence(text)
      if captures != finding.captures {
        finding.captures = captures
        finding.advice = signature.advice.map { $0.filled(with: captures) }
      }
    }
    finding.timestamp = kept.timestamp
    finding.context = kept.hasContext ? kept.traceback.context.map { redactor.redact($0) } : []
    findings[index] = finding
  }

  /// Writes every kept repeat (before a report is made).
  func writeAllRepeats() {
    for index in pendingRepeats {
      writeRepeats(index)
      repeats[index].listed = false
    }
    pendingRepeats.removeAll(keepingCapacity: true)
  }
}
