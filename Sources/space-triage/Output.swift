import Foundation
import SystemPackage

/// Writes to standard output and standard error through file descriptors.
///
/// A closed pipe (`space-triage … | head -1`) ends the run quietly with status 74.
enum Output {
  static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

  /// Writes `text` to standard output. A write error, above all a closed pipe (EPIPE), ends the
  /// run quietly with status 74: there is no one left to tell.
  ///
  /// Ends with `exit`: for the main thread of `classify` and `patterns` only. A `watch` writes
  /// from its queue beside live reader and dispatch threads, where `exit`'s handlers must not
  /// run: it uses ``tryWrite(_:)`` and ends with `_exit` itself.
  static func write(_ text: String) {
    if !tryWrite(text) { exit(ExitStatus.ioError.rawValue) }
  }

  /// Writes `text` to `descriptor` (standard output); `false` when it cannot (a closed pipe).
  static func tryWrite(_ text: String, to descriptor: FileDescriptor = .standardOutput) -> Bool {
    do {
      _ = try descriptor.writeAll(text.utf8)
      return true
    } catch {
      return false
    }
  }

  /// Writes one line to standard error, prefixed with the tool's name.
  static func error(_ message: String) {
    _ = try? FileDescriptor.standardError.writeAll("space-triage: \(message)\n".utf8)
  }

  /// Whether standard output is a terminal.
  static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
