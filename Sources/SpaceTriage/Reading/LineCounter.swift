/// Counts whole lines in a run of bytes, 32 bytes at a time, stopping before a line that starts
/// with one of two bytes (the lines a caller wants to see one by one).
///
/// This is what lets the reader pass over thousands of uninteresting lines without handing
/// each one out: no `memchr` call, no line record, no branch per line.
enum LineCounter {
  /// The whole lines at the front of `bytes` (which starts at a line start), up to the first
  /// line whose first byte is `stopA` or `stopB`.
  ///
  /// - Returns: how many lines, and the offset where they end (after their last `\n`): the
  ///   start of the stopping line, or of the unfinished tail of `bytes`.
  @inline(never)
  static func wholeLines(in bytes: UnsafeRawBufferPointer, stoppingAt stopA: UInt8, _ stopB: UInt8) -> (lines: Int, end: Int) {
    let count = bytes.count
    guard count > 0, let base = bytes.baseAddress else { return (0, 0) }
    let first = base.load(as: UInt8.self)
    if first == stopA || first == stopB { return (0, 0) }
    let newline = SIMD32<UInt8>(repeating: 0x0A)
    let stopsA = SIMD32<UInt8>(repeating: stopA)
    let stopsB = SIMD32<UInt8>(repeating: stopB)
    var lines = 0
    var offset = 0
    // Each vector reads bytes offset ... offset + 32 (one past, for the byte after a newline).
    while offset &+ 33 <= count {
      var sums = SIMD32<UInt8>(repeating: 0)
      var rounds = 0
      var stopped = false
      // At most 255 rounds, so no lane of `sums` overflows.
      while rounds < 255 && offset &+ 33 <= count {
        let chunk = base.loadUnaligned(fromByteOffset: offset, as: SIMD32<UInt8>.self)
        let next = base.loadUnaligned(fromByteOffset: offset &+ 1, as: SIMD32<UInt8>.self)
        let ends = chunk .== newline
        // `any(_:)` on the mask is not inlined; OR its four words instead.
        let stops = unsafeBitCast(ends .& ((next .== stopsA) .| (next .== stopsB)), to: SIMD4<UInt64>.self)
        if stops[0] | stops[1] | stops[2] | stops[3] != 0 {
          stopped = true
          break
        }
        sums &-= unsafeBitCast(ends, to: SIMD32<UInt8>.self)  // a true lane is all ones: -1
        offset &+= 32
        rounds &+= 1
      }
      lines &+= sums.indices.reduce(0) { $0 &+ Int(sums[$1]) }
      if stopped { break }
    }
    // The rest, byte by byte (and the vector that held a stop, if any).
    while offset < count {
      if base.load(fromByteOffset: offset, as: UInt8.self) == 0x0A {
        lines &+= 1
        let lineStart = offset &+ 1
        if lineStart < count {
          let next = base.load(fromByteOffset: lineStart, as: UInt8.self)
          if next == stopA || next == stopB { return (lines, lineStart) }
        }
      }
      offset &+= 1
    }
    // No stop: the lines end after the last newline.
    var end = count
    while end > 0 && base.load(fromByteOffset: end &- 1, as: UInt8.self) != 0x0A { end &-= 1 }
    return (lines, end)
  }

  /// Where the line holding offset `position` of `base` starts: just past the last `\n` before
  /// it, looked for back to `floor` (a line start), 8 bytes at a time.
  static func lineStart(before position: Int, notBefore floor: Int, in base: UnsafeRawPointer) -> Int {
    var end = position
    while end &- 8 >= floor {
      let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: end &- 8, as: UInt64.self))
      let bytes = word ^ 0x0A0A_0A0A_0A0A_0A0A
      // Exact per byte (no carry crosses bytes): the high bit of each byte that is not `\n`.
      let other = (((bytes & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | bytes) & 0x8080_8080_8080_8080
      let newlines = ~other & 0x8080_8080_8080_8080
      // The last newline is the highest byte flagged.
      if newlines != 0 { return end &- 8 &+ (7 &- newlines.leadingZeroBitCount &>> 3) &+ 1 }
      end &-= 8
    }
    while end > floor {
      if base.load(fromByteOffset: end &- 1, as: UInt8.self) == 0x0A { return end }
      end &-= 1
    }
    return floor
  }
}
