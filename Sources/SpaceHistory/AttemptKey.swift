import Foundation
package import SpaceTriage

/// Where each attempt of an input starts and what identifies it: the banners
/// (`===== Application Startup at …`, `===== Build Queued at …`, with the time they carry) by
/// line number, and the input's first log timestamp (SSE/JSON `"timestamp"`).
///
/// Built from the input's bytes as they are read (``feed(_:)``), line numbers as the engine
/// counts them (1-based, one per LF).
package final class AttemptIndex: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): fed by one reader, read after the input ended.
  /// Banner line → the time it carries.
  package private(set) var banners: [(line: Int, time: String)] = []
  /// The first `"timestamp"` value of the input.
  package private(set) var firstTimestamp: String?
  private var line = 1
  private var partial: [UInt8] = []

  package init() {}

  package convenience init(bytes: [UInt8]) {
    self.init()
    bytes.withUnsafeBytes { feed($0) }
    finish()
  }

  /// More bytes of the input.
  package func feed(_ bytes: UnsafeRawBufferPointer) {
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == 0x0A {
      if partial.isEmpty {
        look(at: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
      } else {
        partial += bytes[start..<index]
        partial.withUnsafeBytes { look(at: $0) }
        partial.removeAll(keepingCapacity: true)
      }
      line += 1
      start = index + 1
    }
    if start < bytes.count, partial.count < 1 << 16 { partial += bytes[start..<min(bytes.count, start + (1 << 16))] }
  }

  /// The input ended (a last line without a newline counts).
  package func finish() {
    if !partial.isEmpty { partial.withUnsafeBytes { look(at: $0) } }
    partial = []
  }

  private static let app = Array("===== Application Startup at ".utf8)
  private static let build = Array("===== Build Queued at ".utf8)
  private static let stamp = Array("\"timestamp\"".utf8)

  private func look(at text: UnsafeRawBufferPointer) {
    guard text.count >= 8 else { return }
    let bytes = text.prefix(4096)
    if let range = Self.find(Self.app, in: bytes) ?? Self.find(Self.build, in: bytes) {
      var time = String(decoding: bytes[range.upperBound...], as: UTF8.self)
      if let end = time.range(of: " =====") { time = String(time[..<end.lowerBound]) }
      if let sha = time.range(of: " / ") { time = String(time[..<sha.lowerBound]) }
      if banners.last?.time != time || (banners.last.map { line - $0.line > 2 } ?? true) { banners.append((line, time)) }
    }
    if firstTimestamp == nil, let range = Self.find(Self.stamp, in: bytes) {
      let rest = String(decoding: bytes[range.upperBound...].prefix(80), as: UTF8.self)
      if let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"") {
        firstTimestamp = String(rest[rest.index(after: open)..<close])
      }
    }
  }

  private static func find(_ needle: [UInt8], in haystack: Slice<UnsafeRawBufferPointer>) -> Range<Int>? {
    guard haystack.count >= needle.count, let first = needle.first else { return nil }
    var index = haystack.startIndex
    let last = haystack.endIndex - needle.count
    while index <= last {
      if haystack[index] == first {
        var match = true
        for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
          match = false
          break
        }
        if match { return index..<(index + needle.count) }
      }
      index += 1
    }
    return nil
  }

  /// The start of the attempt holding `line`: the nearest banner at or before it, else the
  /// input's first timestamp, else nothing.
  package func start(of line: Int) -> String {
    if let banner = banners.last(where: { $0.line <= line }) { return banner.time }
    return firstTimestamp ?? ""
  }
}

/// The identity of the attempt a finding's evidence line is in (SPEC: "an attempt is identified
/// by its start banner time (or its first timestamp) and its evidence line"), so that reading
/// the same log twice is not a recurrence while a restart 40 minutes later is.
package enum AttemptKey {
  package static func of(_ finding: Finding, index: AttemptIndex?) -> String {
    (index?.start(of: finding.line) ?? "") + " | " + finding.text
  }
}

/// A ``ByteSource`` that shows every byte it reads to an ``AttemptIndex``.
package struct IndexingSource: ByteSource {
  var base: any ByteSource
  package let index: AttemptIndex

  package init(_ base: any ByteSource, index: AttemptIndex) {
    self.base = base
    self.index = index
  }

  package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = try base.read(into: buffer)
    if count > 0 { index.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) } else { index.finish() }
    return count
  }
}
