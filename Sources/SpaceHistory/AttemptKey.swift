public import SpaceTriage
import Foundation

/// The identity of the attempt a finding's evidence line is in (SPEC: "an attempt is identified
/// by its start banner time (or its first timestamp) and its evidence line"), so that reading
/// the same log twice is not a recurrence while a restart 40 minutes later is.
///
/// The attempt's start is the nearest banner at or before the evidence line
/// (`===== Application Startup at …`, `===== Build Queued at …`: the time they carry); without
/// one, the earliest log timestamp among the report's findings; without any, nothing (the
/// evidence line alone, which never counts two runs of one log twice).
public enum AttemptKey {
  /// The banner entries of the catalog.
  public static let bannerIDs: Set<String> = ["stage.app-startup", "stage.build-queued"]

  public static func of(_ finding: Finding, in report: Report) -> String {
    let banner = report.findings
      .filter { bannerIDs.contains($0.id) && $0.line <= finding.line }
      .max { $0.line < $1.line }
    var start = ""
    if let banner {
      start = bannerTime(banner.text) ?? banner.timestamp ?? banner.text
    } else if let first = report.findings.compactMap(\.timestamp).min() {
      start = first
    }
    return start + " | " + finding.text
  }

  /// `===== Application Startup at 2026-11-30 10:05:00 =====` → `2026-11-30 10:05:00`.
  static func bannerTime(_ text: String) -> String? {
    guard let range = text.range(of: " at ") else { return nil }
    var rest = text[range.upperBound...]
    if let slash = rest.range(of: " / ") { rest = rest[..<slash.lowerBound] }
    let time = rest.trimmingCharacters(in: CharacterSet(charactersIn: "= "))
    return time.isEmpty ? nil : time
  }
}
