/// Splits a server-sent event stream into lines and drops the events a reconnect replays.
///
/// An event is a `data:` line with a non-blank payload (keep-alives are blank). On each
/// connection the server replays its history from the first event; the first `delivered`
/// events of a new connection are skipped. A partial line at a drop is discarded (it comes
/// again, whole, on the next connection).
struct SSEReplayFilter {
  /// Events handed out over all connections.
  private(set) var delivered = 0
  private var seenThisConnection = 0
  private var partial: [UInt8] = []

  /// Starts counting a new connection's events from zero.
  mutating func startConnection() {
    seenThisConnection = 0
    partial.removeAll(keepingCapacity: true)
  }

  /// Feeds received bytes; calls `emit` with complete lines (each with its `\n`) to keep.
  mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
    var start = 0
    while let newline = bytes[start...].firstIndex(of: 0x0A) {
      let line = UnsafeRawBufferPointer(rebasing: bytes[start...newline])
      if partial.isEmpty {
        keep(line, emit)
      } else {
        partial.append(contentsOf: line)
        let whole = partial
        partial.removeAll(keepingCapacity: true)
        whole.withUnsafeBytes { keep($0, emit) }
      }
      start = newline + 1
    }
    if start < bytes.count { partial.append(contentsOf: bytes[start...]) }
  }

  /// The stream ended cleanly: a last line without `\n` still counts.
  mutating func finish(_ emit: (UnsafeRawBufferPointer) -> Void) {
    guard !partial.isEmpty else { return }
    var whole = partial
    partial.removeAll()
    whole.append(0x0A)
    whole.withUnsafeBytes { keep($0, emit) }
  }

  private mutating func keep(_ line: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
    guard SSEReplayFilter.isEvent(line) else { return emit(line) }
    seenThisConnection += 1
    if seenThisConnection <= delivered { return }  // replayed history
    delivered += 1
    emit(line)
  }

  /// Whether `line` is a `data:` line with a non-blank payload.
  static func isEvent(_ line: UnsafeRawBufferPointer) -> Bool {
    guard line.count > 5, line.starts(with: "data:".utf8) else { return false }
    return line[5...].contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
  }
}
