// The hot loops: probing a line or a whole block against the prefilter's tables.

extension LiteralPrefilter {
  /// The hash of a little-endian 4-gram, as it is (case-exact).
  @inline(__always)
  static func hash(_ gram: UInt32) -> Int {
    Int(truncatingIfNeeded: (gram &* 0x9E37_79B1) &>> UInt32(32 - hashBits))
  }

  /// The hash of 8 little-endian bytes for ``pairBitmap``, with `0x20` set in every byte: the
  /// same for every case of a caseless literal's letters (other bytes may collide, which only
  /// costs a verification).
  @inline(__always)
  static func pairHash(_ bytes: UInt64) -> Int {
    Int(truncatingIfNeeded: ((bytes | 0x2020_2020_2020_2020) &* 0x9E37_79B9_7F4A_7C15) &>> UInt64(64 - hashBits))
  }

  /// Whether a literal may cover the probe at `position`, whose gram (hash `hash`) is in the
  /// bitmap: a literal with a short probe there, or one whose 8 bytes around the probe (from it,
  /// or from 4 bytes before it) are in ``pairBitmap``. Never a wrong `false`: a literal that
  /// covers the probe holds those 8 bytes, so they lie inside `count` bytes.
  @inline(__always)
  func mayHoldLiteral(hash: Int, at position: Int, _ base: UnsafeRawPointer, count: Int) -> Bool {
    let bit: UInt64 = 1 &<< UInt64(truncatingIfNeeded: hash & 63)
    if shortBitmap[hash &>> 6] & bit != 0 { return true }
    if position &+ 8 <= count {
      let pair = Self.pairHash(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
      if pairBitmap[pair &>> 6] & (1 &<< UInt64(truncatingIfNeeded: pair & 63)) != 0 { return true }
    }
    if position >= 4 && position &+ 4 <= count {
      let pair = Self.pairHash(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position &- 4, as: UInt64.self)))
      if pairBitmap[pair &>> 6] & (1 &<< UInt64(truncatingIfNeeded: pair & 63)) != 0 { return true }
    }
    return false
  }

  /// Calls `candidate` with each entry some of whose literals occur in `text` (an entry may be
  /// reported more than once). ``alwaysRun`` entries are not included.
  @inline(__always)
  package func forEachCandidate(in text: UnsafeRawBufferPointer, _ candidate: (Int) -> Void) {
    let count = text.count
    guard count >= 4, let base = text.baseAddress, let bits = bitmap.baseAddress else { return }
    let stride = self.stride
    var position = 0
    let last = count &- 4
    while position <= last {
      let gram = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
      let hash = Self.hash(UInt32(littleEndian: gram))
      if bits[hash &>> 6] & (1 &<< UInt64(hash & 63)) != 0 {
        verify(hash: hash, at: position, in: text) { literal in
          for signature in literals[literal].signatures { candidate(signature) }
        }
      }
      position &+= stride
    }
  }

  /// Probes a whole block of lines at once, recording every literal occurrence found.
  ///
  /// Stops early when `hits` could overflow. Every occurrence that ends at or before the
  /// returned `covered` offset is among the first `count` hits, in increasing order of
  /// position; a line that ends after `covered` must be probed again (or on its own).
  package func scan(
    _ block: UnsafeRawBufferPointer, into hits: UnsafeMutableBufferPointer<LiteralHit>
  ) -> (count: Int, covered: Int) {
    let count = min(block.count, Int(Int32.max))  // hit positions are 32-bit
    guard count >= 4, let base = block.baseAddress, let bits = bitmap.baseAddress, let out = hits.baseAddress else {
      return (0, count)
    }
    let last = count &- 4
    let limit = hits.count &- largestBucket
    guard limit > 0 else { return (0, 0) }  // too small to hold one probe's hits: probe lines alone
    var found = 0
    var position = 0
    while true {
      position = Self.nextBitmapHit(base, from: position, last: last, stride: stride, bits: bits)
      if position > last { return (found, count) }
      if found > limit { return (found, position &+ 3) }
      let hash = Self.hash(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
      if mayHoldLiteral(hash: hash, at: position, base, count: count) {
        verify(hash: hash, at: position, in: UnsafeRawBufferPointer(start: base, count: count)) { literal in
          out[found] = LiteralHit(position: Int32(truncatingIfNeeded: position), literal: Int32(truncatingIfNeeded: literal))
          found &+= 1
        }
      }
      position &+= stride
    }
  }

  /// The first probe position from `position` on (stepping by `stride`) whose 4-gram is in the
  /// bitmap, or a position past `last`. Kept apart and small: it is the hottest loop.
  @inline(never)
  static func nextBitmapHit(
    _ base: UnsafeRawPointer, from position: Int, last: Int, stride: Int, bits: UnsafePointer<UInt64>
  ) -> Int {
    var position = position
    while position <= last {
      let hash = Self.hash(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
      if bits[hash &>> 6] & (1 &<< UInt64(truncatingIfNeeded: hash & 63)) != 0 { return position }
      position &+= stride
    }
    return position
  }

  @inline(never)
  private func verify(hash: Int, at position: Int, in text: UnsafeRawBufferPointer, _ found: (Int) -> Void) {
    guard let base = text.baseAddress else { return }
    let actual = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    // The bucket's rank among the hashes set in the bitmap (the caller saw this one set).
    let word = hash &>> 6
    let below = bitmap[word] & ((1 &<< UInt64(truncatingIfNeeded: hash & 63)) &- 1)
    let rank = Int(wordRank[word]) &+ below.nonzeroBitCount
    var slot = Int(bucketStart[rank])
    let stop = Int(bucketStart[rank &+ 1])
    while slot < stop {
      let probe = probes[slot]
      slot &+= 1
      // A different gram with the same hash: most misses end here.
      guard actual | probe.fold == probe.gram else { continue }
      let start = position &- Int(probe.offset)
      let length = Int(probe.length)
      guard start >= 0, start &+ length <= text.count else { continue }
      // The literal's first and last 4 bytes (all of it up to 8 bytes), then the rest.
      let head = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: start, as: UInt32.self))
      let tail = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: start &+ length &- 4, as: UInt32.self))
      guard head | probe.headFold == probe.head, tail | probe.tailFold == probe.tail else { continue }
      if length <= 8 || equal(literalRanges[Int(probe.literal)], base + start) { found(Int(probe.literal)) }
    }
  }

  /// Whether the bytes at `text` show the literal at `range` (with its case folding), which
  /// is longer than 8 bytes: 8 bytes at a time, the last 8 overlapping the ones before.
  @inline(__always)
  private func equal(_ range: LiteralRange, _ text: UnsafeRawPointer) -> Bool {
    let expected = UnsafeRawPointer(literalBytes.baseAddress! + Int(range.start))
    let fold = UnsafeRawPointer(literalFold.baseAddress! + Int(range.start))
    let count = Int(range.count)
    @inline(__always) func same(at offset: Int) -> Bool {
      text.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | fold.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        == expected.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }
    var offset = 0
    while offset &+ 8 <= count {
      guard same(at: offset) else { return false }
      offset &+= 8
    }
    return offset == count || same(at: count &- 8)
  }
}
