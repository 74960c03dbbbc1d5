/// Picks, for one line, the catalog entries whose required literals occur in it.
///
/// Built once per catalog from each entry's literals (``LiteralExtractor`` or the entry's
/// `literals:` key). A line is probed every `stride` bytes: the 4 bytes at each probe are folded
/// to lower case (`| 0x20`, a superset of ASCII case-folding) and hashed into a 64 Ki-bit
/// bitmap that holds every 4-gram a literal can show at a probe. Only on a hit is the literal
/// compared, and only entries whose literal is really there become candidates. With every
/// literal at least `stride + 3` bytes long, any occurrence covers a probe, so a candidate is
/// never missed: the prefilter may say "maybe", never a wrong "no".
///
/// Entries without usable literals are listed in ``alwaysRun``.
///
/// The tables live in buffers allocated once and never written after `init`, so probing a line
/// touches no reference counts and no exclusivity checks.
public final class LiteralPrefilter: @unchecked Sendable {
  // SAFETY: every stored property is written only in `init`, before the object is shared; the
  // unsafe buffers are owned by this object and freed in `deinit`.
  /// One literal and the entries that require it.
  struct Literal: Sendable {
    var bytes: [UInt8]
    var caseless: Bool
    var signatures: [Int]
  }

  /// A bitmap entry: which literal, at which offset of it, has this 4-gram.
  struct Probe: Sendable {
    var literal: Int32
    var offset: Int32
  }

  /// Bytes between probes.
  public let stride: Int
  /// Entries that must be run on every line (no usable literal).
  public let alwaysRun: [Int]
  /// The literals of each entry (empty for ``alwaysRun`` entries), for `patterns test`.
  public let literalsBySignature: [[String]]

  let literals: [Literal]
  /// 65,536 bits.
  private let bitmap: UnsafeMutableBufferPointer<UInt64>
  /// Probes sorted by hash; `bucketStart[h]..<bucketStart[h + 1]` are those of hash `h`.
  let probes: [Probe]
  let bucketStart: [Int32]

  static let hashBits = 16

  /// Builds the prefilter for `signatures`.
  public init(signatures: [Signature]) {
    var literals: [Literal] = []
    var alwaysRun: [Int] = []
    var literalsBySignature: [[String]] = []
    for (index, signature) in signatures.enumerated() {
      let required = signature.literals.isEmpty
        ? LiteralExtractor.requiredLiterals(of: signature.pattern) : signature.literals
      guard let required, required.allSatisfy({ $0.utf8.count >= LiteralExtractor.minimumLength }) else {
        alwaysRun.append(index)
        literalsBySignature.append([])
        continue
      }
      literalsBySignature.append(required)
      let caseless = signature.caseless || signature.pattern.hasPrefix("(?i)")
      for text in required {
        let bytes = Array(text.utf8)
        if let existing = literals.firstIndex(where: { $0.bytes == bytes && $0.caseless == caseless }) {
          literals[existing].signatures.append(index)
        } else {
          literals.append(Literal(bytes: bytes, caseless: caseless, signatures: [index]))
        }
      }
    }
    let shortest = literals.map(\.bytes.count).min() ?? 4
    let stride = max(1, shortest - 3)
    var byHash: [(hash: Int, probe: Probe)] = []
    var bitmap = [UInt64](repeating: 0, count: (1 << Self.hashBits) / 64)
    for (number, literal) in literals.enumerated() {
      // Any `stride` consecutive gram offsets cover one probe; take the window whose grams are
      // least like ordinary prose, so probes on everyday lines rarely hit.
      let windows = max(1, literal.bytes.count - 3 - stride + 1)
      let first = (0..<windows).min { Self.commonness(literal.bytes, $0, stride) < Self.commonness(literal.bytes, $1, stride) } ?? 0
      for offset in first..<min(first + stride, literal.bytes.count - 3) {
        let gram = literal.bytes[offset..<offset + 4].enumerated().reduce(UInt32(0)) { word, item in
          word | UInt32(item.element) << (8 * UInt32(item.offset))
        }
        let hash = Self.hash(gram)
        bitmap[hash >> 6] |= 1 << UInt64(hash & 63)
        byHash.append((hash, Probe(literal: Int32(number), offset: Int32(offset))))
      }
    }
    byHash.sort { $0.hash < $1.hash }
    var bucketStart = [Int32](repeating: 0, count: (1 << Self.hashBits) + 1)
    for entry in byHash { bucketStart[entry.hash + 1] += 1 }
    for hash in 0..<(1 << Self.hashBits) { bucketStart[hash + 1] += bucketStart[hash] }
    self.stride = stride
    self.alwaysRun = alwaysRun
    self.literalsBySignature = literalsBySignature
    self.literals = literals
    self.bitmap = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: bitmap.count)
    _ = self.bitmap.initialize(from: bitmap)
    self.probes = byHash.map(\.probe)
    self.bucketStart = bucketStart
  }

  deinit { bitmap.deallocate() }

  /// How much the grams at offsets `start..<start + count` look like everyday text: lower-case
  /// letters and spaces are common in logs, digits and punctuation are not.
  static func commonness(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
    var score = 0
    for offset in start..<min(start + count + 3, bytes.count) {
      let byte = bytes[offset] | 0x20
      if byte == 0x20 || (byte >= 0x61 && byte <= 0x7A) { score += 1 }
    }
    return score
  }

  /// The hash of a little-endian 4-gram, after folding every byte with `| 0x20`.
  @inline(__always)
  static func hash(_ gram: UInt32) -> Int {
    Int(truncatingIfNeeded: ((gram | 0x2020_2020) &* 0x9E37_79B1) &>> UInt32(32 - hashBits))
  }

  /// Calls `candidate` with each entry some of whose literals occur in `text` (an entry may be
  /// reported more than once). ``alwaysRun`` entries are not included.
  @inline(__always)
  public func forEachCandidate(in text: UnsafeRawBufferPointer, _ candidate: (Int) -> Void) {
    let count = text.count
    guard count >= 4, let base = text.baseAddress, let bits = bitmap.baseAddress else { return }
    let stride = self.stride
    var position = 0
    let last = count &- 4
    while position <= last {
      let gram = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
      let hash = Self.hash(UInt32(littleEndian: gram))
      if bits[hash &>> 6] & (1 &<< UInt64(hash & 63)) != 0 {
        verify(hash: hash, at: position, in: text, candidate)
      }
      position &+= stride
    }
  }

  @inline(never)
  private func verify(hash: Int, at position: Int, in text: UnsafeRawBufferPointer, _ candidate: (Int) -> Void) {
    for slot in Int(bucketStart[hash])..<Int(bucketStart[hash + 1]) {
      let probe = probes[slot]
      let literal = literals[Int(probe.literal)]
      let start = position - Int(probe.offset)
      guard start >= 0, start + literal.bytes.count <= text.count else { continue }
      if Self.equal(literal, text, at: start) {
        for signature in literal.signatures { candidate(signature) }
      }
    }
  }

  private static func equal(_ literal: Literal, _ text: UnsafeRawBufferPointer, at start: Int) -> Bool {
    for (offset, expected) in literal.bytes.enumerated() {
      let actual = text[start + offset]
      if actual == expected { continue }
      guard literal.caseless, actual | 0x20 == expected | 0x20, (actual | 0x20) >= 0x61, (actual | 0x20) <= 0x7A else {
        return false
      }
    }
    return true
  }
}
