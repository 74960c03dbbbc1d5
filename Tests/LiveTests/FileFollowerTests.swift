import Foundation
import SpaceTriage
import SystemPackage
import Testing

/// `--follow`: growth, truncation and replacement of the followed file.
@Suite(.serialized)
struct FileFollowerTests {
  /// Follows `path` on a thread of its own, collecting lines, until `stop()`.
  final class Tail: @unchecked Sendable {
    // SAFETY (@unchecked Sendable): `collected` and `stopped` are guarded by `lock`.
    private let lock = NSLock()
    private var collected: [String] = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
      let follower = Box(
        try FileFollower(
          path: FilePath(path), pollInterval: .milliseconds(10), shouldStop: { [unowned self] in lock.withLock { stopped } }))
      let thread = Thread { [self] in
        var reader = LineReader(follower.value)
        try? reader.forEachLine { line in
          let text = String(decoding: line.bytes, as: UTF8.self)
          lock.withLock { collected.append(text) }
          return true
        }
        follower.value.close()
        done.signal()
      }
      thread.start()
    }

    var lines: [String] { lock.withLock { collected } }

    /// Waits until `count` lines were read (a hang guard, not a speed requirement).
    func waitFor(_ count: Int) -> Bool {
      let deadline = Date().addingTimeInterval(30)
      while Date() < deadline {
        if lines.count >= count { return true }
        Thread.sleep(forTimeInterval: 0.01)
      }
      return false
    }

    func stop() {
      lock.withLock { stopped = true }
      done.wait()
    }
  }

  /// Hands a value to the tail's thread, its only user from then on.
  final class Box<Value>: @unchecked Sendable {
    // SAFETY (@unchecked Sendable): set once, then used by one thread.
    let value: Value
    init(_ value: Value) { self.value = value }
  }

  private func scratch() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-follow-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  private func append(_ text: String, to url: URL) throws {
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
  }

  @Test func readsWhatIsAppendedThenATruncatedFileThenAReplacedOne() throws {
    let directory = try scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("app.log")
    try "one\ntwo\n".write(to: file, atomically: false, encoding: .utf8)
    let tail = try Tail(path: file.path)
    #expect(tail.waitFor(2))

    try append("three\n", to: file)
    #expect(tail.waitFor(3))

    // Truncated (`> app.log`), then shorter new content.
    let handle = try FileHandle(forWritingTo: file)
    try handle.truncate(atOffset: 0)
    try handle.close()
    Thread.sleep(forTimeInterval: 0.1)
    try append("four\n", to: file)
    #expect(tail.waitFor(4))

    // Replaced by rename (log rotation, an editor's save).
    let fresh = directory.appendingPathComponent("app.log.new")
    try "five\nsix\n".write(to: fresh, atomically: false, encoding: .utf8)
    #expect(rename(fresh.path, file.path) == 0)
    #expect(tail.waitFor(6))
    try append("seven\n", to: file)
    #expect(tail.waitFor(7))
    tail.stop()
    #expect(tail.lines == ["one", "two", "three", "four", "five", "six", "seven"])
  }

  @Test func aMissingFileCannotBeFollowed() {
    #expect(throws: (any Error).self) { try FileFollower(path: "/nonexistent/space-triage/app.log") }
  }

  /// Closing twice closes once: the second call must not close a file opened since under the
  /// same descriptor number (a struct copy used to do exactly that).
  @Test func closingTwiceLeavesOtherFilesAlone() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("follow-\(UUID().uuidString).log").path
    try Data("one\n".utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let follower = try FileFollower(path: FilePath(path), shouldStop: { true })
    follower.close()
    let other = try FileDescriptor.open(FilePath(path), .readOnly)  // most likely the same number
    defer { try? other.close() }
    follower.close()
    #expect((try? other.stat()) != nil, "the other descriptor is still open")
    var buffer = [UInt8](repeating: 0, count: 8)
    #expect(throws: Errno.badFileDescriptor) { try buffer.withUnsafeMutableBytes { try follower.read(into: $0) } }
  }
}
