/// The answer for one input: will it work, and will retrying help?
public enum Verdict: String, CaseIterable, Sendable, Codable {
  /// The last attempt reached `running` (or a build completed) and nothing failed.
  case healthy
  /// It failed, and a retry, restart or wait is likely to clear it.
  case transient
  /// It failed, and it will fail again until something is changed.
  case persistent
  /// It failed without saying why, or the log shows neither success nor failure.
  case unknown

  /// Severity for combining several inputs: persistent > unknown > transient > healthy.
  public var severity: Int {
    switch self {
    case .healthy: 0
    case .transient: 1
    case .unknown: 2
    case .persistent: 3
    }
  }
}
