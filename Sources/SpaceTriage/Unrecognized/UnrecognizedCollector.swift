#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Gathers one input's unrecognised failure lines as it is read.
///
/// A line is a candidate when a `looks-like-failure` or `failure-shape` entry (an `info` entry whose literals ride the
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

  /// What is kept of a template besides its count: only made when it is first seen.
  private struct Entry {
    var line: Int
    var text: String
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
  // The table a repeated line touches, in flat buffers (no reference counting, no exclusivity
  // checks): per template its hash, count, and bytes (``TemplateMasker/outputCapacity`` each,
  // allocated when the first template comes); open addressing slots (-1: empty), twice the
  // capacity; the current line's template.
  private let hashes: UnsafeMutablePointer<UInt64>
  private let counts: UnsafeMutablePointer<Int>
  private let lengths: UnsafeMutablePointer<Int>
  private var store: UnsafeMutablePointer<UInt8>?
  private let slots: UnsafeMutablePointer<Int32>
  private let slotMask = 2 * UnrecognizedCollector.capacity - 1
  private let scratch: UnsafeMutablePointer<UInt8>
  /// Templates in the table, and lines of templates that did not fit in it.
  private let tally: UnsafeMutablePointer<(templates: Int, dropped: Int)>
  /// Lines of templates that did not fit in the table.
  var droppedLines: Int { tally.pointee.dropped }

  /// - Parameter roles: per entry, its ``role(_:)``.
  init(roles entryRoles: [UInt8], redactor: Redactor) {
    self.redactor = redactor
    roles = .allocate(capacity: max(1, entryRoles.count))
    _ = roles.initialize(from: entryRoles)
    state = .allocate(capacity: 1)
    state.initialize(to: LineState())
    let capacity = UnrecognizedCollector.capacity
    hashes = .allocate(capacity: capacity)
    counts = .allocate(capacity: capacity)
    lengths = .allocate(capacity: capacity)
    slots = .allocate(capacity: 2 * capacity)
    slots.initialize(repeating: -1, count: 2 * capacity)
    scratch = .allocate(capacity: TemplateMasker.outputCapacity)
    tally = .allocate(capacity: 1)
    tally.initialize(to: (0, 0))
  }

  deinit {
    roles.deallocate()
    state.deallocate()
    hashes.deallocate()
    counts.deallocate()
    lengths.deallocate()
    store?.deallocate()
    slots.deallocate()
    scratch.deallocate()
    tally.deallocate()
  }

  static func role(_ signature: Signature) -> UInt8 {
    switch signature.signatureClass {
    case .info:
      switch signature.effect {
      case .looksLikeFailure: 1
      // A piece of a failure's shape: a candidate too, but the shape reader needs it as well
      // (a harmless shape, `Exception ignored in …`, recognises its line).
      case .failureShape: ShapeKind(id: signature.id) == .exceptionIgnored ? 2 : 3
      case .none: 2
      default: 0
      }
    default: genericIDs.contains(signature.id) ? 0 : 2
    }
  }

  /// Notes that entry `index` matched the current line. Returns whether it is a
  /// `looks-like-failure` entry, which needs nothing else (a `failure-shape` entry also goes
  /// to the shape reader).
  @inline(__always)
  func note(_ index: Int) -> Bool {
    switch roles[index] {
    case 1:
      state.pointee.shape = true
      return true
    case 2:
      state.pointee.recognized = true
      return false
    case 3:
      state.pointee.shape = true
      return false
    default:
      return false
    }
  }

  /// Whether a line that these entries match may be counted (some looks like a failure, none
  /// recognises it), `roles` being ``role(_:)`` per entry: what a thread that matches lines
  /// ahead asks before it writes a line's template.
  static func mayBeUnrecognized(_ matched: UnsafeBufferPointer<Int32>, roles: [UInt8]) -> Bool {
    var candidate = false
    for index in matched {
      switch roles[Int(index)] {
      case 1, 3: candidate = true
      case 2: return false
      default: break
      }
    }
    return candidate
  }

  /// The current line's matches are all noted: counts it if it looked like a failure and
  /// nothing recognised it (its `template` may be made already: ``mayBeUnrecognized(_:roles:)``).
  @inline(__always)
  func lineEnded(_ text: UnsafeRawBufferPointer, line: Int, stage: Stage?, template: UnsafeRawBufferPointer? = nil) {
    guard state.pointee.shape else {
      state.pointee.recognized = false
      return
    }
    let recognized = state.pointee.recognized
    state.pointee = LineState()
    if !recognized { add(text, line: line, stage: stage, template: template) }
  }

  private func add(_ text: UnsafeRawBufferPointer, line: Int, stage: Stage?, template: UnsafeRawBufferPointer?) {
    let length: Int
    if let template, let bytes = template.baseAddress {
      scratch.update(from: bytes.assumingMemoryBound(to: UInt8.self), count: template.count)
      length = template.count
    } else {
      length = TemplateMasker.write(text, into: scratch)
    }
    guard length > 0 else { return }
    let hash = UnrecognizedCollector.hash(scratch, length)
    let stride = TemplateMasker.outputCapacity
    var slot = Int(truncatingIfNeeded: hash) & slotMask
    while slots[slot] >= 0 {
      let index = Int(slots[slot])
      if hashes[index] == hash && lengths[index] == length, let store,
        memcmp(store + index &* stride, scratch, length) == 0
      {
        counts[index] &+= 1
        return
      }
      slot = (slot &+ 1) & slotMask
    }
    let index = tally.pointee.templates
    guard index < UnrecognizedCollector.capacity else {
      tally.pointee.dropped &+= 1
      return
    }
    if store == nil { store = .allocate(capacity: UnrecognizedCollector.capacity * stride) }
    guard let store else { return }
    (store + index * stride).update(from: scratch, count: length)
    hashes[index] = hash
    lengths[index] = length
    counts[index] = 1
    slots[slot] = Int32(index)
    tally.pointee.templates = index + 1
    entries.append(Entry(line: line, text: evidence(text), stage: stage))
  }

  /// A fast hash of a template, 8 bytes at a time (only to find its slot; the fingerprint is
  /// SHA-256, computed for the report).
  @inline(__always)
  static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(count)
    var offset = 0
    let raw = UnsafeRawPointer(bytes)
    while offset &+ 8 <= count {
      hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
      hash ^= hash &>> 29
      offset &+= 8
    }
    while offset < count {
      hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01B3
      offset &+= 1
    }
    return hash ^ (hash &>> 32)
  }

  /// The most frequent templates (ties: the first seen), at most ``reportLimit``; templates
  /// that read the same once redacted are merged.
  func lines() -> [UnrecognizedLine] {
    var merged: [String: Int] = [:]
    var result: [UnrecognizedLine] = []
    for (index, entry) in entries.enumerated() {
      let bytes = UnsafeBufferPointer(start: store.map { $0 + index * TemplateMasker.outputCapacity }, count: lengths[index])
      let template = redactor.redact(String(decoding: bytes, as: UTF8.self))
      if let known = merged[template] {
        result[known].count += counts[index]
        continue
      }
      merged[template] = result.count
      result.append(
        UnrecognizedLine(
          fingerprint: Fingerprint.of(template), template: template, line: entry.line, text: entry.text,
          count: counts[index], stage: entry.stage))
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
