/// Picks, for one line, the catalog entries whose required literals occur in it.
///
/// Built once per catalog from each entry's literals (``LiteralExtractor`` or the entry's
/// `literals:` key). A line is probed every `stride` bytes: the 4 bytes at each probe are hashed
/// into a 64 Ki-bit bitmap that holds every 4-gram a literal can show at a probe (a caseless
/// literal's grams in every case of their ASCII letters). Only on a hit is the literal
/// compared, and only entries whose literal is really there become candidates. With every
/// literal at least `stride + 3` bytes long, any occurrence covers a probe, so a candidate is
/// never missed: the prefilter may say "maybe", never a wrong "no".
///
/// Entries without usable literals are listed in ``alwaysRun``.
///
/// The tables live in buffers allocated once and never written after `init`, so probing a line
/// touches no reference counts and no exclusivity checks.
package final class LiteralPrefilter: @unchecked Sendable {
  /// A literal occurrence found by ``scan(_:into:)``: the probe position it covers (an offset in
  /// the scanned block) and the literal's number.
  package struct LiteralHit: Sendable {
    package var position: Int32
    package var literal: Int32
  }

  /// The literal occurrences found in one line, with the table that maps their literals to
  /// entries (plain pointers into the prefilter: valid while it lives, no reference counting).
  package struct LineHits {
    package var occurrences: UnsafeBufferPointer<LiteralHit>
    let signatureRanges: UnsafePointer<LiteralRange>
    let signatureList: UnsafePointer<Int32>
    /// The entries another thread found matching the line (every candidate run, in catalog
    /// order, none muted), or `nil`: the line's candidates are still to be run.
    var matched: UnsafeBufferPointer<Int32>?
    /// The line's template (``TemplateMasker``), made by the thread that matched it when the
    /// line may be an unrecognised failure.
    var template: UnsafeRawBufferPointer?

    /// Whether literal `literal` selects at least one entry, all of them muted.
    @inline(__always)
    func selectsOnlyMuted(literal: Int32, muted: UnsafeMutableBufferPointer<Bool>) -> Bool {
      let range = signatureRanges[Int(literal)]
      if range.count == 0 { return false }
      for slot in Int(range.start)..<Int(range.start + range.count) where !muted[Int(signatureList[slot])] {
        return false
      }
      return true
    }

    /// Whether every literal that occurs selects at least one entry, all of them muted (so
    /// the line needs no matching; a marker literal, which selects none, needs its line).
    @inline(__always)
    func allSelectOnly(muted: UnsafeMutableBufferPointer<Bool>) -> Bool {
      for hit in occurrences {
        let range = signatureRanges[Int(hit.literal)]
        if range.count == 0 { return false }
        for slot in Int(range.start)..<Int(range.start + range.count) where !muted[Int(signatureList[slot])] {
          return false
        }
      }
      return true
    }

    /// Whether some literal that occurs selects an entry flagged in `flags`.
    @inline(__always)
    func selectsAny(of flags: UnsafeMutableBufferPointer<Bool>) -> Bool {
      for hit in occurrences {
        let range = signatureRanges[Int(hit.literal)]
        for slot in Int(range.start)..<Int(range.start + range.count) where flags[Int(signatureList[slot])] { return true }
      }
      return false
    }

    /// The entries whose literals occur (an entry may come more than once).
    @inline(__always)
    func forEachSignature(_ body: (Int) -> Void) {
      for hit in occurrences {
        let range = signatureRanges[Int(hit.literal)]
        for slot in Int(range.start)..<Int(range.start + range.count) { body(Int(signatureList[slot])) }
      }
    }
  }

  /// `occurrences`, found by ``scan(_:into:)`` on this prefilter, as ``LineHits``.
  func lineHits(_ occurrences: UnsafeBufferPointer<LiteralHit>) -> LineHits {
    LineHits(
      occurrences: occurrences, signatureRanges: UnsafePointer(signatureRanges.baseAddress!),
      signatureList: UnsafePointer(signatureList.baseAddress!))
  }

  // SAFETY: every stored property is written only in `init`, before the object is shared; the
  // unsafe buffers are owned by this object and freed in `deinit`.
  /// One literal and the entries that require it.
  struct Literal: Sendable {
    var bytes: [UInt8]
    var caseless: Bool
    var signatures: [Int]
  }

  /// A bitmap entry: which literal, at which offset of it, has this 4-gram. `gram` holds the
  /// literal's 4 bytes there with caseless letters in lower case, and `fold` has `0x20` on those
  /// letters: text bytes `t` show the gram when `t | fold == gram`.
  ///
  /// `head` and `tail` are the literal's first and last 4 bytes in the same form (with their
  /// masks), so that most grams that are not part of the literal are ruled out with two
  /// comparisons; they are the whole literal when it has at most 8 bytes.
  struct Probe: Sendable {
    var literal: Int32
    var offset: Int32
    var gram: UInt32
    var fold: UInt32
    var head: UInt32
    var headFold: UInt32
    var tail: UInt32
    var tailFold: UInt32
    var length: Int32
  }

  /// A literal's spelling, to find it among those already collected.
  struct LiteralKey: Hashable {
    var bytes: [UInt8]
    var caseless: Bool

    // The bytes in one call: an array's own hashing combines them one by one.
    func hash(into hasher: inout Hasher) {
      bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
      hasher.combine(caseless)
    }
  }

  /// A range in one of the flat tables: a literal's bytes in ``literalBytes`` (and its fold
  /// mask in ``literalFold``), or its entries in ``signatureList``.
  struct LiteralRange: Sendable {
    var start: Int32
    var count: Int32
  }

  /// Bytes between probes.
  package let stride: Int
  /// Every byte that occurs in some literal (see ``JSONScanner/escapesMayHideLiteral(_:literalBytes:)``).
  package let literalByteSet: ByteSet
  /// Entries that must be run on every line (no usable literal).
  package let alwaysRun: [Int]
  /// The literals of each entry (empty for ``alwaysRun`` entries), for `patterns test`.
  package let literalsBySignature: [[String]]

  let literals: [Literal]
  /// 65,536 bits.
  let bitmap: UnsafeMutableBufferPointer<UInt64>
  /// Probes sorted by hash. Those of hash `h`, the `r`-th hash set in ``bitmap`` (its rank:
  /// ``wordRank`` of its word plus the bits set before it there), are
  /// `bucketStart[r]..<bucketStart[r + 1]`. Small tables, so a probe that hits stays in cache.
  let probes: UnsafeMutableBufferPointer<Probe>
  let bucketStart: UnsafeMutableBufferPointer<Int32>
  /// Per bitmap word, the bits set in the words before it.
  let wordRank: UnsafeMutableBufferPointer<Int32>
  /// The second look at a probe that hit ``bitmap``, before its bucket is walked: the 8 bytes
  /// from the probe on, or from 4 bytes before it, as ``pairHash(_:)`` sees them, for every
  /// probe whose literal holds them (65,536 bits). Common grams (`ing `, `/1.1`) hit the bitmap
  /// all the time; their 8 bytes seldom do.
  let pairBitmap: UnsafeMutableBufferPointer<UInt64>
  /// The hashes of ``bitmap`` with a probe too close to both ends of its literal for
  /// ``pairBitmap``: their hits are verified at once.
  let shortBitmap: UnsafeMutableBufferPointer<UInt64>
  /// Every literal's bytes (caseless letters in lower case), one after the other.
  let literalBytes: UnsafeMutableBufferPointer<UInt8>
  /// `0x20` for each caseless letter of ``literalBytes``, else 0.
  let literalFold: UnsafeMutableBufferPointer<UInt8>
  let literalRanges: UnsafeMutableBufferPointer<LiteralRange>
  /// For each literal, where its entries are in ``signatureList``.
  let signatureRanges: UnsafeMutableBufferPointer<LiteralRange>
  let signatureList: UnsafeMutableBufferPointer<Int32>
  /// The most literal occurrences one probe can verify (the largest bucket).
  let largestBucket: Int

  static let hashBits = 16

  /// Builds the prefilter for `signatures`.
  ///
  /// - Parameters:
  ///   - markers: literals found like the others but selecting no entry (see
  ///     ``scan(_:into:)``); shorter than 8 bytes, they are ignored.
  ///   - sample: log text like the text to be probed (say, the first block of an input). Each
  ///     literal is then probed by the grams that are rarest in it, so probes on everyday
  ///     lines seldom hit; without a sample a rough model of log text decides. Either way the
  ///     prefilter finds every literal: only its speed depends on the sample.
  ///   - probed: each entry's ``probedLiterals(of:)`` when already known (a compiled catalog's
  ///     ``CompiledCatalog/probedLiterals``), else found here.
  package init(
    signatures: [Signature], markers: [String] = [], sample: UnsafeRawBufferPointer? = nil, probed: [[String]?]? = nil
  ) {
    var literals: [Literal] = markers.filter { $0.utf8.count >= 8 }.map { Literal(bytes: Array($0.utf8), caseless: false, signatures: []) }
    var alwaysRun: [Int] = []
    var literalsBySignature: [[String]] = []
    // The first literal of each spelling (a marker comes first, like before).
    var literalNumber: [LiteralKey: Int] = [:]
    literalNumber.reserveCapacity(signatures.count * 2 + literals.count)
    for (number, literal) in literals.enumerated() where literalNumber[LiteralKey(bytes: literal.bytes, caseless: false)] == nil {
      literalNumber[LiteralKey(bytes: literal.bytes, caseless: false)] = number
    }
    for (index, signature) in signatures.enumerated() {
      let caseless = Self.isCaseless(signature)
      guard let required = probed.map({ $0[index] }) ?? Self.probedLiterals(of: signature) else {
        alwaysRun.append(index)
        literalsBySignature.append([])
        continue
      }
      literalsBySignature.append(required)
      for text in required {
        let bytes = Array(text.utf8)
        if let existing = literalNumber[LiteralKey(bytes: bytes, caseless: caseless)] {
          literals[existing].signatures.append(index)
        } else {
          literalNumber[LiteralKey(bytes: bytes, caseless: caseless)] = literals.count
          literals.append(Literal(bytes: bytes, caseless: caseless, signatures: [index]))
        }
      }
    }
    // The bytes literals are made of (in both cases where case is folded): a JSON escape that
    // stands for another byte cannot hide a literal.
    var byteSet = ByteSet()
    for literal in literals {
      for byte in literal.bytes {
        byteSet.insert(byte)
        if literal.caseless, Self.foldMask(byte, true) != 0 {
          byteSet.insert(byte | 0x20)
          byteSet.insert(byte & ~0x20)
        }
      }
    }
    // A literal with `"` or `\` also in its JSON-escaped spelling, as it shows in a raw JSON
    // or SSE line.
    for literal in literals where literal.bytes.contains(0x22) || literal.bytes.contains(0x5C) {
      let escaped = literal.bytes.flatMap { $0 == 0x22 || $0 == 0x5C ? [0x5C, $0] : [$0] }
      if !literals.contains(where: { $0.bytes == escaped && $0.caseless == literal.caseless }) {
        literals.append(Literal(bytes: escaped, caseless: literal.caseless, signatures: literal.signatures))
      }
    }
    self.literalByteSet = byteSet
    let shortest = literals.map { $0.bytes.count }.min() ?? 4
    let stride = max(1, shortest - 3)
    var byHash: [(hash: Int, probe: Probe)] = []
    var bitmap = [UInt64](repeating: 0, count: (1 << Self.hashBits) / 64)
    var pairBitmap = bitmap
    var shortBitmap = bitmap
    let counts = sample.map(Self.gramCounts)
    let priorWeight = Double(max(1, sample?.count ?? 1)) * 0.01
    for (number, literal) in literals.enumerated() {
      // Any `stride` consecutive gram offsets cover one probe; take the window whose grams are
      // the least likely in ordinary text, so probes on everyday lines rarely hit.
      let windows = max(1, literal.bytes.count - 3 - stride + 1)
      // Each gram's share once; a window's cost sums those of its grams, in order.
      let grams = max(0, literal.bytes.count - 3)
      let expected = (0..<grams).map { Self.expectedHits(literal, at: $0) }
      let observed = counts.map { counts in (0..<grams).map { Self.observedHits(literal, at: $0, counts) } }
      let cost = (0..<windows).map { start in
        let offsets = start..<min(start + stride, grams)
        return offsets.reduce(0.0) { $0 + expected[$1] } * priorWeight
          + (observed.map { observed in Double(offsets.reduce(0) { $0 + observed[$1] }) } ?? 0)
      }
      let first = cost.indices.min { cost[$0] < cost[$1] } ?? 0
      func folded(_ offset: Int) -> (gram: UInt32, fold: UInt32) {
        let fold = (0..<4).reduce(UInt32(0)) { mask, index in
          mask | UInt32(Self.foldMask(literal.bytes[offset + index], literal.caseless)) << (8 * UInt32(index))
        }
        return (Self.word(literal.bytes, at: offset) | fold, fold)
      }
      let head = folded(0)
      let tail = folded(literal.bytes.count - 4)
      for offset in first..<min(first + stride, literal.bytes.count - 3) {
        let (gram, fold) = folded(offset)
        let probe = Probe(
          literal: Int32(number), offset: Int32(offset), gram: gram, fold: fold, head: head.gram, headFold: head.fold,
          tail: tail.gram, tailFold: tail.fold, length: Int32(literal.bytes.count))
        // The 8 bytes that the second look reads when this probe hits, if they are the literal's.
        let pair = offset + 8 <= literal.bytes.count ? offset : offset >= 4 ? offset - 4 : nil
        if let pair {
          let hash = Self.pairHash(Self.word64(literal.bytes, at: pair))
          pairBitmap[hash >> 6] |= 1 << UInt64(hash & 63)
        }
        // The bitmap is case-exact: a caseless gram goes in with every case of its letters.
        for variant in Self.caseVariants(Self.word(literal.bytes, at: offset), fold: fold) {
          let hash = Self.hash(variant)
          bitmap[hash >> 6] |= 1 << UInt64(hash & 63)
          if pair == nil { shortBitmap[hash >> 6] |= 1 << UInt64(hash & 63) }
          byHash.append((hash, probe))
        }
      }
    }
    // Probes by hash, equal hashes in the order they were added: integer keys of the hash and
    // the position (a plain integer sort, no comparator calls).
    let order = byHash.indices.map { UInt64(byHash[$0].hash) << 32 | UInt64($0) }.sorted()
    byHash = order.map { byHash[Int($0 & 0xFFFF_FFFF)] }
    // One bucket per hash set in the bitmap, in order of hash.
    var bucketStart: [Int32] = []
    for (slot, entry) in byHash.enumerated() where slot == 0 || byHash[slot - 1].hash != entry.hash {
      bucketStart.append(Int32(slot))
    }
    let largestBucket = zip(bucketStart, bucketStart.dropFirst() + [Int32(byHash.count)]).map { Int($1 - $0) }.max() ?? 0
    bucketStart.append(Int32(byHash.count))
    var wordRank = [Int32](repeating: 0, count: bitmap.count)
    for word in bitmap.indices.dropFirst() { wordRank[word] = wordRank[word - 1] + Int32(bitmap[word - 1].nonzeroBitCount) }
    self.stride = stride
    self.alwaysRun = alwaysRun
    self.literalsBySignature = literalsBySignature
    self.literals = literals
    self.bitmap = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: bitmap.count)
    _ = self.bitmap.initialize(from: bitmap)
    self.probes = .allocate(capacity: max(1, byHash.count))
    _ = probes.initialize(from: byHash.map(\.probe))
    self.bucketStart = .allocate(capacity: bucketStart.count)
    _ = self.bucketStart.initialize(from: bucketStart)
    self.wordRank = .allocate(capacity: wordRank.count)
    _ = self.wordRank.initialize(from: wordRank)
    self.pairBitmap = .allocate(capacity: pairBitmap.count)
    _ = self.pairBitmap.initialize(from: pairBitmap)
    self.shortBitmap = .allocate(capacity: shortBitmap.count)
    _ = self.shortBitmap.initialize(from: shortBitmap)
    self.largestBucket = largestBucket
    var bytes: [UInt8] = []
    var folds: [UInt8] = []
    var ranges: [LiteralRange] = []
    for literal in literals {
      ranges.append(LiteralRange(start: Int32(bytes.count), count: Int32(literal.bytes.count)))
      for byte in literal.bytes {
        let fold = Self.foldMask(byte, literal.caseless)
        bytes.append(byte | fold)
        folds.append(fold)
      }
    }
    self.literalBytes = .allocate(capacity: max(1, bytes.count))
    _ = literalBytes.initialize(from: bytes)
    self.literalFold = .allocate(capacity: max(1, folds.count))
    _ = literalFold.initialize(from: folds)
    self.literalRanges = .allocate(capacity: max(1, ranges.count))
    _ = literalRanges.initialize(from: ranges)
    let entries = literals.flatMap { $0.signatures.map(Int32.init) }
    var entryRanges: [LiteralRange] = []
    var next: Int32 = 0
    for literal in literals {
      entryRanges.append(LiteralRange(start: next, count: Int32(literal.signatures.count)))
      next += Int32(literal.signatures.count)
    }
    self.signatureList = .allocate(capacity: max(1, entries.count))
    _ = signatureList.initialize(from: entries)
    self.signatureRanges = .allocate(capacity: max(1, entryRanges.count))
    _ = signatureRanges.initialize(from: entryRanges)
  }

  deinit {
    bitmap.deallocate()
    probes.deallocate()
    bucketStart.deallocate()
    wordRank.deallocate()
    pairBitmap.deallocate()
    shortBitmap.deallocate()
    literalBytes.deallocate()
    literalFold.deallocate()
    literalRanges.deallocate()
    signatureRanges.deallocate()
    signatureList.deallocate()
  }
}
