import ArgumentParser
import SpaceTriage

/// The exit statuses (docs/exit-status.md), in one table.
enum ExitStatus: Int32, CaseIterable {
  case healthy = 0
  case internalError = 1
  case unknown = 3
  case persistent = 4
  case usage = 64
  case invalidCatalog = 65
  case cannotOpen = 66
  case ioError = 74
  case transient = 75
  case notAuthorised = 77

  /// The status for one verdict.
  init(_ verdict: Verdict) {
    switch verdict {
    case .healthy: self = .healthy
    case .transient: self = .transient
    case .persistent: self = .persistent
    case .unknown: self = .unknown
    }
  }

  var exitCode: ExitCode { ExitCode(rawValue) }

  /// The help text's table of statuses.
  static let helpText = """
    Exit status:
      0 healthy, 75 transient (EX_TEMPFAIL: retry once), 4 persistent, 3 unknown;
      several inputs: the most severe (persistent > unknown > transient > healthy).
      64 usage, 65 invalid catalog, 66 input cannot be opened, 74 I/O error,
      77 not authorised, 1 internal error.
    """
}
