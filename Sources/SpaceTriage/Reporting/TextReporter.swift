/// Renders a report as one screen of text: the verdict first, the evidence line, why, the
/// numbered next steps, then the other findings.
///
/// Text from the log is made terminal-safe: control characters are shown as `?`, so a log
/// cannot move the cursor or recolour the terminal.
public struct TextReporter: Sendable {
  /// How many findings besides the primary the text report lists.
  public static let maxOtherFindings = 8

  /// Whether to use ANSI colours.
  public var color: Bool

  public init(color: Bool) { self.color = color }

  /// The report as text, ending with a newline.
  public func render(_ report: Report) -> String {
    var out = ""
    let verdictWord = paint(report.verdict.rawValue.uppercased(), TextReporter.verdictColor(report.verdict), bold: true)
    let stage = report.finalStage.map { " at stage \($0.rawValue)" } ?? ""
    let attempts = report.attempts > 1 ? ", \(report.attempts) attempts" : ""
    out += "\(verdictWord)  \(TextReporter.safe(report.source))\(stage)\(attempts)"
    if report.escalated { out += paint("  (escalated: it came back after a restart)", "33", bold: false) }
    out += "\n"
    if let primary = report.primaryFinding {
      out += "  \(paint(primary.id, "1", bold: false)): \(primary.title)\n"
      out += "  line \(primary.line): \(TextReporter.safe(primary.text))\n"
      for context in primary.context { out += "      \(TextReporter.safe(context))\n" }
      out += "  why: \(TextReporter.why(primary, escalated: report.escalated))\n"
    } else {
      out += "  why: \(TextReporter.why(report))\n"
    }
    if !report.advice.isEmpty {
      out += "  next steps:\n"
      for (number, step) in report.advice.enumerated() {
        out += "    \(number + 1). \(TextReporter.safe(step.text))\n"
      }
    }
    let others = report.findings.filter { $0.id != report.primary }
    if !others.isEmpty {
      out += "  other findings:\n"
      // One screen: the first few, then a count (`--format json` has them all).
      for finding in others.prefix(TextReporter.maxOtherFindings) {
        let times = finding.count > 1 ? " (×\(finding.count))" : ""
        out += "    line \(finding.line): \(finding.id) [\(finding.signatureClass.rawValue)]\(times) \(TextReporter.safe(finding.text))\n"
      }
    }
    if others.count > TextReporter.maxOtherFindings {
      out += "    … and \(others.count - TextReporter.maxOtherFindings) more (see --format json)\n"
    }
    out += unrecognizedSection(report)
    if report.truncatedLines > 0 {
      out += "  note: \(report.truncatedLines) line(s) longer than 1 MiB were cut for matching\n"
    }
    for problem in report.catalogProblems { out += "  catalog problem: \(TextReporter.safe(problem))\n" }
    return out
  }

  /// The one-line summary printed after several reports.
  public func summary(_ tally: ReportTally) -> String {
    let counts = Verdict.allCases.map { "\(tally.count(of: $0)) \($0.rawValue)" }
    return "\(tally.inputs) inputs: " + counts.joined(separator: ", ") + "\n" + unrecognizedSummary(tally)
  }

  // MARK: - Wording

  static func why(_ primary: Finding, escalated: Bool) -> String {
    if escalated {
      // Escalated across runs (the history store): it recurred in an earlier run's attempt.
      if primary.attempts.count < 2 {
        return "this is usually transient, but it came back in another attempt of this Space within 24 h (earlier runs), so retrying will not clear it"
      }
      return "this is usually transient, but it recurred in \(primary.attempts.count) attempts, so retrying will not clear it"
    }
    switch primary.signatureClass {
    case .transient: return "a platform-side or passing problem: a retry or restart is likely to clear it"
    case .persistent: return "it will fail again until something is changed in the Space"
    case .failure: return "something failed but this line does not say why; read the lines before it"
    case .info: return "informational"
    }
  }

  static func why(_ report: Report) -> String {
    switch report.verdict {
    case .healthy:
      report.finalStage == .running ? "the last attempt reached running and nothing failed" : "the build completed and nothing failed"
    case .unknown:
      report.reason ?? (report.lines == 0 ? "the input is empty" : "no known failure and no sign that the Space became healthy")
    default: ""
    }
  }

  /// `text` with control characters (C0, DEL, C1) replaced by `?`.
  public static func safe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { out.append(isControl(scalar) ? "?" : scalar) }
    return String(out)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
  }

  /// The ANSI colour code (SGR parameter) that shows `verdict`.
  public static func verdictColor(_ verdict: Verdict) -> String {
    switch verdict {
    case .healthy: "32"
    case .transient: "33"
    case .persistent: "31"
    case .unknown: "35"
    }
  }

  /// `text` in colour `code` (bold if asked) when this reporter uses colour.
  public func paint(_ text: String, _ code: String, bold: Bool = false) -> String {
    guard color else { return text }
    return "\u{1B}[\(bold ? "1;" : "")\(code)m\(text)\u{1B}[0m"
  }
}
