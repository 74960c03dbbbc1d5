package import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file like `tail -f`: at its end, waits for more instead of ending.
///
/// - **Growth.** At the end of the file, polls every ``pollInterval`` for new bytes.
/// - **Truncation.** A file now shorter than what was read (`> log`, a log rotated by
///   `copytruncate`) is read again from its start.
/// - **Replacement.** When the path names another file (a new inode: log rotation by rename,
///   an editor's save), the old file is read to its end, then the new one from its start. While
///   the path names no file, the old one is kept and the follower waits.
///
/// ``read(into:)`` blocks until bytes arrive; it returns 0 (end of input) only when
/// `shouldStop` says so. Live mode ends a follow with SIGINT or SIGTERM instead.
///
/// A class, so that every holder sees the descriptor in use: a copy of a struct kept the
/// number of a descriptor its twin had closed after a replacement, and closing it later
/// closed whatever file had been given that number since.
package final class FileFollower: ByteSource {
  /// The followed path.
  package let path: FilePath
  /// How long to wait between looks at an idle file.
  package let pollInterval: Duration
  /// Times the file was found truncated and read again from its start.
  package private(set) var truncations = 0
  /// Times the path was found to name a new file, which was then opened.
  package private(set) var replacements = 0

  private var descriptor: FileDescriptor
  private var isOpen = true
  private var offset: Int64 = 0
  private var identity: (device: DeviceID, inode: Inode)
  private let shouldStop: () -> Bool

  /// Opens `path` for following, from its start.
  ///
  /// - Parameters:
  ///   - pollInterval: the wait between looks at an idle file (default 150 ms).
  ///   - shouldStop: asked at each idle look; `true` ends the input (tests use it).
  /// - Throws: `Errno` when the file cannot be opened.
  package init(
    path: FilePath, pollInterval: Duration = .milliseconds(150), shouldStop: @escaping () -> Bool = { false }
  ) throws {
    self.path = path
    self.pollInterval = pollInterval
    self.shouldStop = shouldStop
    descriptor = try FileDescriptor.open(path, .readOnly)
    do {
      let status = try descriptor.stat()
      identity = (status.deviceID, status.inode)
    } catch {
      try? descriptor.close()
      throw error
    }
  }

  /// Reads the next bytes, waiting at the end of the file for more.
  ///
  /// - Throws: `Errno` for a read error on the open file (`badFileDescriptor` once closed).
  package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      guard isOpen else { throw Errno.badFileDescriptor }
      let count = try descriptor.read(into: buffer, retryOnInterrupt: true)
      if count > 0 {
        offset += Int64(count)
        return count
      }
      // At the end of what the open file holds: look for a replacement, then a truncation.
      if reopenIfReplaced() { continue }
      if let size = try? descriptor.stat().size, size < offset {
        _ = try descriptor.seek(offset: 0, from: .start)
        offset = 0
        truncations += 1
        continue
      }
      if shouldStop() { return 0 }
      FileFollower.sleep(pollInterval)
    }
  }

  /// Closes the file (once; later reads fail).
  package func close() {
    guard isOpen else { return }
    isOpen = false
    try? descriptor.close()
  }

  deinit { close() }

  /// Opens the file the path names now if it is not the one being read.
  private func reopenIfReplaced() -> Bool {
    guard let status = try? path.stat(), status.deviceID != identity.device || status.inode != identity.inode,
      let fresh = try? FileDescriptor.open(path, .readOnly)
    else { return false }
    // The file may have been replaced again between stat and open: take what was opened.
    let opened = (try? fresh.stat()) ?? status
    try? descriptor.close()
    descriptor = fresh
    identity = (opened.deviceID, opened.inode)
    offset = 0
    replacements += 1
    return true
  }

  static func sleep(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
  }
}
