/// Everything space-triage concluded about one input (REPORT in docs/output.md).
public struct Report: Equatable, Sendable {
  /// The input's name: a path, or `-` for standard input.
  public var source: String
  /// Lines read.
  public var lines: Int
  /// Bytes read.
  public var bytes: Int
  /// Lines longer than 1 MiB, cut for matching.
  public var truncatedLines: Int
  public var verdict: Verdict
  /// The primary finding's stage, or the last stage reached; `nil` if none was seen.
  public var finalStage: Stage?
  /// The primary finding's id.
  public var primary: String?
  /// Whether a recurring transient failure was escalated to persistent.
  public var escalated: Bool
  /// Attempts seen (banners; at least 1 for a non-empty input).
  public var attempts: Int
  /// Stage changes in order.
  public var stages: [StageMark]
  /// Every finding (failures and noise), in order of first occurrence.
  public var findings: [Finding]
  /// The ordered next steps.
  public var advice: [AdviceStep]
  /// Catalog entries whose pattern gave up on a line (runaway backtracking), as messages.
  public var catalogProblems: [String]
  /// Failure-looking lines no failure entry recognised, by template (at most 10, most frequent first).
  public var unrecognized: [UnrecognizedLine]
  /// Why the verdict is `unknown` when no failure decides it (a log that simply ends, say).
  public var reason: String?

  /// The primary finding itself.
  public var primaryFinding: Finding? { findings.first { $0.id == primary } }

  public init(
    source: String, lines: Int, bytes: Int, truncatedLines: Int = 0, verdict: Verdict,
    finalStage: Stage?, primary: String?, escalated: Bool, attempts: Int, stages: [StageMark],
    findings: [Finding], advice: [AdviceStep], catalogProblems: [String] = [],
    unrecognized: [UnrecognizedLine] = [], reason: String? = nil
  ) {
    self.source = source
    self.lines = lines
    self.bytes = bytes
    self.truncatedLines = truncatedLines
    self.verdict = verdict
    self.finalStage = finalStage
    self.primary = primary
    self.escalated = escalated
    self.attempts = attempts
    self.stages = stages
    self.findings = findings
    self.advice = advice
    self.catalogProblems = catalogProblems
    self.unrecognized = unrecognized
    self.reason = reason
  }
}

/// What a run's reports said, counted for its summary: kept instead of the reports themselves,
/// so memory does not grow with the number of inputs.
public struct ReportTally: Sendable {
  /// Reports counted.
  public private(set) var inputs = 0
  private var verdicts: [Verdict: Int] = [:]
  /// For each finding id, the number of reports that have it.
  public private(set) var signatures: [String: Int] = [:]
  /// The unrecognised templates across the reports (a bounded table).
  public private(set) var unrecognized = UnrecognizedTally()

  public init() {}

  public mutating func add(_ report: Report) {
    inputs += 1
    verdicts[report.verdict, default: 0] += 1
    for finding in report.findings { signatures[finding.id, default: 0] += 1 }
    unrecognized.add(report)
  }

  /// Reports with `verdict`.
  public func count(of verdict: Verdict) -> Int { verdicts[verdict] ?? 0 }
}
