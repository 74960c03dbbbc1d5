/// A line that looks like a failure but that no failure entry of the catalog recognised,
/// grouped with the other lines of its input that share its template (SPEC "Unrecognised
/// failures: fingerprints and suggestions").
public struct UnrecognizedLine: Equatable, Sendable {
  /// ``Fingerprint/of(_:)`` of ``template``.
  public var fingerprint: String
  /// The line with its volatile parts masked (``TemplateMasker``), secrets redacted.
  public var template: String
  /// The first line with this template (1-based).
  public var line: Int
  /// That line: ANSI stripped, secrets redacted, at most 500 characters.
  public var text: String
  /// Lines of the input with this template.
  public var count: Int
  /// The stage the Space was in at ``line``, if one had been seen.
  public var stage: Stage?

  public init(fingerprint: String, template: String, line: Int, text: String, count: Int, stage: Stage? = nil) {
    self.fingerprint = fingerprint
    self.template = template
    self.line = line
    self.text = text
    self.count = count
    self.stage = stage
  }
}

extension JSONReporter {
  /// An `{"fingerprint", "template", "line", "text", "count", "stage"}` object.
  public static func unrecognized(_ line: UnrecognizedLine) -> JSONValue {
    .object([
      ("fingerprint", .string(line.fingerprint)),
      ("template", .string(line.template)),
      ("line", .int(line.line)),
      ("text", .string(line.text)),
      ("count", .int(line.count)),
      ("stage", .optional(line.stage?.rawValue)),
    ])
  }

  /// The summary's list: `{"fingerprint", "template", "inputs", "lines", "example": {"source", "line"}}`.
  static func unrecognizedSummary(_ tally: ReportTally) -> JSONValue {
    .array(
      tally.unrecognized.top(UnrecognizedTally.summaryLimit).map { entry in
        .object([
          ("fingerprint", .string(entry.fingerprint)),
          ("template", .string(entry.template)),
          ("inputs", .int(entry.inputs)),
          ("lines", .int(entry.lines)),
          ("example", .object([("source", .string(entry.exampleSource)), ("line", .int(entry.exampleLine))])),
        ])
      })
  }
}

extension TextReporter {
  /// How many unrecognised templates a text report lists.
  public static let maxUnrecognized = 3
  /// How many the batch summary lists.
  public static let maxUnrecognizedInSummary = 5

  /// The report's unrecognised failure lines, a few, most frequent first ("" when none).
  func unrecognizedSection(_ report: Report) -> String {
    guard !report.unrecognized.isEmpty else { return "" }
    var out = "  unrecognised failure lines (no catalog entry; `space-triage patterns suggest` drafts one):\n"
    for entry in report.unrecognized.prefix(TextReporter.maxUnrecognized) {
      let times = entry.count > 1 ? " (×\(entry.count))" : ""
      out += "    line \(entry.line) [\(entry.fingerprint)]\(times) \(TextReporter.safe(entry.text))\n"
    }
    if report.unrecognized.count > TextReporter.maxUnrecognized {
      out += "    … and \(report.unrecognized.count - TextReporter.maxUnrecognized) more (see --format json)\n"
    }
    return out
  }

  /// The batch's most common unrecognised templates, under the summary line ("" when none).
  func unrecognizedSummary(_ tally: ReportTally) -> String {
    let top = tally.unrecognized.top(TextReporter.maxUnrecognizedInSummary)
    guard !top.isEmpty else { return "" }
    var out = "unrecognised failure lines, most common first:\n"
    for entry in top {
      let inputs = entry.inputs == 1 ? "1 input" : "\(entry.inputs) inputs"
      out += "  [\(entry.fingerprint)] \(inputs), \(entry.lines) line(s): \(TextReporter.safe(entry.template))\n"
      out += "      e.g. \(TextReporter.safe(entry.exampleSource)):\(entry.exampleLine)\n"
    }
    return out
  }
}
