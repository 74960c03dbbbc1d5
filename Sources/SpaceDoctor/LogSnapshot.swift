package import Foundation
import SpaceTriage

/// A snapshot of a Space's build and run logs: both streams read at the same time until the
/// server closes them, or they are quiet for `wait` seconds (a live Space keeps its run log
/// open), or `wait + 0.5` seconds have passed; then the events of both, merged in time order,
/// as one input for the classifier.
package struct LogSnapshot: Sendable {
  /// The merged SSE lines (`data: {"data": …, "timestamp": …}`), each ending in `\n`.
  package var bytes: [UInt8]
  /// Events read from each log.
  package var buildEvents: Int
  package var runEvents: Int
  /// The time of the last `===== Build Queued at …` banner, if any.
  package var lastBuildQueued: Date?
  /// What could not be read, for the report.
  package var notes: [String]

  /// One SSE event line with its time.
  struct Event {
    var line: [UInt8]
    var time: Date?
  }

  /// Reads both logs of `space`.
  ///
  /// - Throws: ``SpaceLogsError``: 401/403 (not authorised), or a network failure before any
  ///   byte arrived. A 404 (no logs yet) is an empty log with a note.
  package static func read(endpoint: URL, space: String, token: String?, wait: Double) throws -> LogSnapshot {
    let readers = [SpaceLogKind.build, .run].map { kind in
      StreamReader(
        client: SpaceLogsClient(
          request: SpaceLogsRequest(endpoint: endpoint, space: space, kind: kind, token: token), maxRetries: 0,
          backoff: { _ in .zero }, readTimeout: max(5, wait + 5)))
    }
    for reader in readers { reader.start() }
    let start = Date()
    while readers.contains(where: { !$0.isFinished }) {
      Thread.sleep(forTimeInterval: 0.02)
      let now = Date()
      for reader in readers where !reader.isFinished {
        if now.timeIntervalSince(reader.lastActivity) >= wait || now.timeIntervalSince(start) >= wait + 0.5 { reader.client.cancel() }
      }
    }
    var notes: [String] = []
    var streams: [[Event]] = []
    for (reader, kind) in zip(readers, ["build", "run"]) {
      let (bytes, error) = reader.result
      if let error {
        switch error.kind {
        case .notAuthorised: throw error
        case .notFound: notes.append("the \(kind) log API answered 404 (no \(kind) log yet)")
        case .network:
          if bytes.isEmpty { throw error }
          notes.append("the \(kind) log stream ended early: \(error.message)")
        }
      }
      streams.append(events(bytes))
    }
    let merged = merge(streams[0], streams[1])
    var out: [UInt8] = []
    for event in merged { out += event.line }
    return LogSnapshot(
      bytes: out, buildEvents: streams[0].count, runEvents: streams[1].count,
      lastBuildQueued: lastBanner(streams[0]), notes: notes)
  }

  /// The `data:` event lines of an SSE byte stream (keep-alives and other fields dropped),
  /// each with its timestamp; an event without one takes the time of the one before it.
  static func events(_ bytes: [UInt8]) -> [Event] {
    var events: [Event] = []
    var previous: Date?
    for slice in bytes.split(separator: 0x0A) {
      var line = Array(slice)
      if line.last == 0x0D { line.removeLast() }
      guard line.count > 5, line.starts(with: Array("data:".utf8)) else { continue }
      let payload = line[5...].drop { $0 == 0x20 }
      guard !payload.isEmpty else { continue }
      var time = previous
      if let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
        let stamp = object["timestamp"] as? String, let parsed = parseTime(stamp)
      {
        time = parsed
      }
      previous = time
      events.append(Event(line: line + [0x0A], time: time))
    }
    return events
  }

  /// ISO-8601 with or without fractional seconds.
  static func parseTime(_ text: String) -> Date? {
    let plain = ISO8601DateFormatter()
    if let date = plain.date(from: text) { return date }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = fractional.date(from: text) { return date }
    // More than millisecond precision (`2026-04-15T10:00:00.123456789Z`): cut to milliseconds.
    if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
      let digits = text[text.index(after: dot)..<zone]
      return fractional.date(from: String(text[..<dot]) + "." + String(digits.prefix(3)) + String(text[zone...]))
    }
    return nil
  }

  /// Both logs in time order; the build log first on equal times (and for events without a
  /// time); each log's own order is kept.
  static func merge(_ build: [Event], _ run: [Event]) -> [Event] {
    var merged: [Event] = []
    merged.reserveCapacity(build.count + run.count)
    var left = 0
    var right = 0
    while left < build.count || right < run.count {
      if right == run.count {
        merged.append(build[left]); left += 1
      } else if left == build.count {
        merged.append(run[right]); right += 1
      } else if let runTime = run[right].time, let buildTime = build[left].time, runTime < buildTime {
        merged.append(run[right]); right += 1
      } else {
        merged.append(build[left]); left += 1
      }
    }
    return merged
  }

  /// `===== Build Queued at 2023-11-07 19:12:58 …` → that time (UTC).
  static func lastBanner(_ events: [Event]) -> Date? {
    var last: Date?
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    for event in events {
      let text = String(decoding: event.line, as: UTF8.self)
      guard let range = text.range(of: "Build Queued at ") else { continue }
      let stamp = text[range.upperBound...].prefix(19)
      if let date = formatter.date(from: String(stamp)) { last = date } else if let time = event.time { last = time }
    }
    return last
  }

  /// Reads one stream on a thread of its own.
  final class StreamReader: @unchecked Sendable {
    // SAFETY (@unchecked Sendable): mutable state is guarded by `lock`.
    let client: SpaceLogsClient
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var error: SpaceLogsError?
    private var finished = false
    private var last = Date()

    init(client: SpaceLogsClient) { self.client = client }

    var isFinished: Bool { lock.withLock { finished } }
    var lastActivity: Date { lock.withLock { last } }
    var result: ([UInt8], SpaceLogsError?) { lock.withLock { (bytes, error) } }

    func start() {
      let thread = Thread { [self] in
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
          do {
            let count = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
            if count == 0 { break }
            // Only events are activity: a live stream's keep-alives (`data:`) are not.
            let hasEvent = buffer[0..<count].contains(UInt8(ascii: "{"))
            lock.withLock {
              bytes += buffer[0..<count]
              if hasEvent { last = Date() }
            }
          } catch let failure as SpaceLogsError {
            lock.withLock { error = failure }
            break
          } catch {
            lock.withLock { self.error = SpaceLogsError(.network, message: "\(error)") }
            break
          }
        }
        lock.withLock { finished = true }
      }
      thread.start()
    }
  }
}
