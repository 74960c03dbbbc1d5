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

  /// The primary finding itself.
  public var primaryFinding: Finding? { findings.first { $0.id == primary } }

  public init(
    source: String, lines: Int, bytes: Int, truncatedLines: Int = 0, verdict: Verdict,
    finalStage: Stage?, primary: String?, escalated: Bool, attempts: Int, stages: [StageMark],
    findings: [Finding], advice: [AdviceStep], catalogProblems: [String] = []
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

  public init() {}

  public mutating func add(_ report: Report) {
    inputs += 1
    verdicts[report.verdict, default: 0] += 1
    for finding in report.findings { signatures[finding.id, default: 0] += 1 }
  }

  /// Reports with `verdict`.
  public func count(of verdict: Verdict) -> Int { verdicts[verdict] ?? 0 }
}
