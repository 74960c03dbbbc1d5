#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Gathers one input's unrecognised failure lines as it is read.
///
/// A line is a candidate when a `failure-shape` entry (an `info` entry whose literals ride the
/// prefilter: `Error:`, `Exception`, `ERROR`, `failed`, `not found`, …) matched it; it is
/// *recognised* when an entry of a failure class matched it too, other than the generic shape
/// entries (``genericIDs``: those lines are exactly what new entries should be written for),
/// or when a noise entry (`info` with `effect: none`) did. So only lines holding a candidate
/// literal get any work here, and nothing is allocated for a line whose template was seen
/// before: it is masked into a reused buffer, hashed, and counted in a small fixed table.
///
/// Memory is bounded: at most ``capacity`` templates per input (lines of further templates are
/// only counted in ``droppedLines``).
final class UnrecognizedCollector {
  /// Ids of the generic failure entries whose lines still count as unrecognised.
  static let genericIDs: Set<String> = ["startup.app-exception", "runtime.request-error", "startup.network-error"]
  /// Templates kept per input.
  static let capacity = 128
  /// Templates a report lists.
  static let reportLimit = 10

  private struct Entry {
    var hash: UInt64
    var template: [UInt8]
    var line: Int
    var text: String
    var count: Int
    var stage: Stage?
  }

  private struct LineState {
    var shape = false
    var recognized = false
  }

  /// Per catalog entry: 1 = failure shape, 2 = recognises the line, 0 = neither.
  private let roles: UnsafeMutableBufferPointer<UInt8>
  private let state: UnsafeMutablePointer<LineState>
  private let redactor: Redactor
  private var entries: [Entry] = []
  /// Open addressing over `entries` (-1: empty); twice the capacity.
  private var slots: [Int32]
  /// The current line's template (``TemplateMasker/outputCapacity`` bytes).
  private let scratch: UnsafeMutablePointer<UInt8>
  /// Lines of templates that did not fit in the table.
  private(set) var droppedLines = 0

  init(signatures: [Signature], redactor: Redactor) {
    self.redactor = redactor
    roles = .allocate(capacity: max(1, signatures.count))
    _ = roles.initialize(from: signatures.map(UnrecognizedCollector.role))
    state = .allocate(capacity: 1)
    state.initialize(to: LineState())
    slots = [Int32](repeating: -1, count: 2 * UnrecognizedCollector.capacity)
    scratch = .allocate(capacity: TemplateMasker.outputCapacity)
  }

  deinit {
    roles.deallocate()
    state.deallocate()
    scratch.deallocate()
  }

  static func role(_ signature: Signature) -> UInt8 {
    switch signature.signatureClass {
    case .info: signature.effect == .failureShape ? 1 : signature.effect == .none ? 2 : 0
    default: genericIDs.contains(signature.id) ? 0 : 2
    }
  }

  /// Notes that entry `index` matched the current line. Returns whether it is a failure-shape
  /// entry (which makes no finding of its own).
  @inline(__always)
  func note(_ index: Int) -> Bool {
    switch roles[index] {
    case 1:
      state.pointee.shape = true
      return true
    case 2:
      state.pointee.recognized = true
      return false
    default:
      return false
    }
  }

  /// The current line's matches are all noted: counts it if it looked like a failure and
  /// nothing recognised it.
  @inline(__always)
  func lineEnded(_ text: UnsafeRawBufferPointer, line: Int, stage: Stage?) {
    guard state.pointee.shape else {
      state.pointee.recognized = false
      return
    }
    let recognized = state.pointee.recognized
    state.pointee = LineState()
    if !recognized { add(text, line: line, stage: stage) }
  }

  private func add(_ text: UnsafeRawBufferPointer, line: Int, stage: Stage?) {
    let length = TemplateMasker.write(text, into: scratch)
    guard length > 0 else { return }
    let template = UnsafeBufferPointer(start: scratch, count: length)
    // FNV-1a: only to find the slot; the fingerprint is SHA-256, computed for the report.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in template { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while slots[slot] >= 0 {
      let index = Int(slots[slot])
      if entries[index].hash == hash
        && entries[index].template.withUnsafeBufferPointer({ $0.count == length && memcmp($0.baseAddress!, scratch, length) == 0 })
      {
        entries[index].count += 1
        return
      }
      slot = (slot + 1) & mask
    }
    guard entries.count < UnrecognizedCollector.capacity else {
      droppedLines += 1
      return
    }
    slots[slot] = Int32(entries.count)
    entries.append(Entry(hash: hash, template: Array(template), line: line, text: evidence(text), count: 1, stage: stage))
  }

  /// The most frequent templates (ties: the first seen), at most ``reportLimit``; templates
  /// that read the same once redacted are merged.
  func lines() -> [UnrecognizedLine] {
    var merged: [String: Int] = [:]
    var result: [UnrecognizedLine] = []
    for entry in entries {
      let template = redactor.redact(String(decoding: entry.template, as: UTF8.self))
      if let index = merged[template] {
        result[index].count += entry.count
        continue
      }
      merged[template] = result.count
      result.append(
        UnrecognizedLine(
          fingerprint: Fingerprint.of(template), template: template, line: entry.line, text: entry.text,
          count: entry.count, stage: entry.stage))
    }
    // A stable sort keeps first-seen order among equal counts.
    let ordered = result.enumerated().sorted { a, b in
      a.element.count != b.element.count ? a.element.count > b.element.count : a.offset < b.offset
    }
    return ordered.prefix(UnrecognizedCollector.reportLimit).map(\.element)
  }

  /// The reported form of a line: redacted, at most 500 characters.
  private func evidence(_ text: UnsafeRawBufferPointer) -> String {
    let line = redactor.redact(String(decoding: text, as: UTF8.self))
    return line.utf8.count > 500 && line.count > 500 ? String(line.prefix(500)) : line
  }
}
