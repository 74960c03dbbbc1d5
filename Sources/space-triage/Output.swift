import Foundation
import SystemPackage

/// Writes to standard output and standard error through file descriptors.
///
/// A closed pipe (`space-triage … | head -1`) ends the run quietly with status 74.
enum Output {
  static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

  /// Writes `text` to standard output. A write error, above all a closed pipe (EPIPE), ends the
  /// run quietly with status 74: there is no one left to tell.
  static func write(_ text: String) {
    do {
      _ = try FileDescriptor.standardOutput.writeAll(text.utf8)
    } catch {
      exit(ExitStatus.ioError.rawValue)
    }
  }

  /// Writes one line to standard error, prefixed with the tool's name.
  static func error(_ message: String) {
    _ = try? FileDescriptor.standardError.writeAll("space-triage: \(message)\n".utf8)
  }

  /// Whether standard output is a terminal.
  static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
