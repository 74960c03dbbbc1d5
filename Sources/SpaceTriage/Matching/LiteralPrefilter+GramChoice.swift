// How the prefilter's tables are chosen: which 4-grams of each literal to probe, and how case
// folding is handled. Used by `LiteralPrefilter.init` only.

extension LiteralPrefilter {
  /// The longest part of a caseless literal without `k` or `s`: with UTF, PCRE2 lets a caseless
  /// `k` match K (U+212A, KELVIN SIGN) and `s` match ſ (U+017F, LATIN SMALL LETTER LONG S),
  /// which byte-wise folding cannot see. (PCRE2 10.43's CASELESS_RESTRICT would forbid it.)
  static func withoutUnicodeCaseFolds(_ literal: String) -> String {
    let parts = literal.utf8.split(omittingEmptySubsequences: true) { ($0 | 0x20) == UInt8(ascii: "k") || ($0 | 0x20) == UInt8(ascii: "s") }
    guard parts.count != 1 || parts.first?.count != literal.utf8.count else { return literal }
    let longest = parts.max { $0.count < $1.count }
    return longest.map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// The spellings of a caseless literal that byte-wise case folding finds: with UTF, PCRE2
  /// lets a caseless `k` match K (U+212A, KELVIN SIGN) and `s` match ſ (U+017F, LATIN SMALL
  /// LETTER LONG S), so each `k` or `s` is also spelled as that character. A literal with more
  /// than two of them is cut to its longest part without them (``withoutUnicodeCaseFolds(_:)``):
  /// a short literal gives few grams to choose from, so `listening` is better than `tening`.
  static func caselessSpellings(_ literal: String) -> [String] {
    let folds = literal.utf8.filter { ($0 | 0x20) == UInt8(ascii: "k") || ($0 | 0x20) == UInt8(ascii: "s") }.count
    guard folds > 0 else { return [literal] }
    guard folds <= 2 else { return [withoutUnicodeCaseFolds(literal)] }
    var spellings: [[UInt8]] = [[]]
    for byte in literal.utf8 {
      switch byte | 0x20 {
      case UInt8(ascii: "k"): spellings = spellings.flatMap { [$0 + [byte], $0 + Array("\u{212A}".utf8)] }
      case UInt8(ascii: "s"): spellings = spellings.flatMap { [$0 + [byte], $0 + Array("\u{017F}".utf8)] }
      default: spellings = spellings.map { $0 + [byte] }
      }
    }
    return spellings.map { String(decoding: $0, as: UTF8.self) }
  }

  /// `0x20` when `byte` is an ASCII letter of a caseless literal (so `| 0x20` folds its case).
  static func foldMask(_ byte: UInt8, _ caseless: Bool) -> UInt8 {
    let lower = byte | 0x20
    return caseless && lower >= 0x61 && lower <= 0x7A ? 0x20 : 0
  }

  /// The little-endian word of the 4 bytes of `bytes` from `offset`.
  static func word(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { word, index in word | UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
  }

  /// The little-endian word of the 8 bytes of `bytes` from `offset`.
  static func word64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { word, index in word | UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
  }

  /// Every spelling of the gram `word` whose letters under `fold` may be in either case.
  static func caseVariants(_ word: UInt32, fold: UInt32) -> [UInt32] {
    var variants = [word & ~fold]
    for index in 0..<4 where fold & (0x20 << (8 * UInt32(index))) != 0 {
      variants += variants.map { $0 | 0x20 << (8 * UInt32(index)) }
    }
    return variants
  }

  /// How often each 4-gram occurs in `sample` (at every offset), by ``hash(_:)``.
  static func gramCounts(_ sample: UnsafeRawBufferPointer) -> [UInt32] {
    var counts = [UInt32](repeating: 0, count: 1 << hashBits)
    guard sample.count >= 4, let base = sample.baseAddress else { return counts }
    for offset in 0...(sample.count - 4) {
      let hash = Self.hash(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
      counts[hash] &+= 1
    }
    return counts
  }

  /// How often the gram at `offset` of `literal` (in any case, for a caseless literal) occurs
  /// in the sample that gave `counts`.
  static func observedHits(_ literal: Literal, at offset: Int, _ counts: [UInt32]) -> Int {
    var word: UInt32 = 0
    var fold: UInt32 = 0
    for index in 0..<4 {
      let byte = literal.bytes[offset + index]
      word |= UInt32(byte) << (8 * UInt32(index))
      fold |= UInt32(Self.foldMask(byte, literal.caseless)) << (8 * UInt32(index))
    }
    // Every spelling: the folded letters' case bits in every combination (as `caseVariants`).
    let base = word & ~fold
    var total = 0
    var bits = fold
    while true {
      total += Int(counts[hash(base | bits)])
      if bits == 0 { break }
      bits = (bits &- 1) & fold
    }
    return total
  }

  /// How often the gram at `offset` of `literal` can be expected in ordinary log text, from a
  /// rough model of byte frequencies (English letters, spaces, a few digits and punctuation,
  /// rarer capitals). Only the order of windows matters.
  static func expectedHits(_ literal: Literal, at offset: Int) -> Double {
    (offset..<offset + 4).reduce(1.0) { product, index in
      product * byteFrequency(literal.bytes[index], caseless: literal.caseless)
    }
  }

  /// a–z in English text, in thousandths.
  private static let letterFrequencies: [Double] = [
    65, 12, 25, 30, 100, 18, 16, 40, 58, 1.5, 7, 33, 20, 57, 62, 17, 1, 50, 52, 75, 23, 8, 15, 2, 15, 1,
  ]

  /// The rough share of `byte` in log text.
  static func byteFrequency(_ byte: UInt8, caseless: Bool) -> Double {
    let lower = byte | 0x20
    if lower >= 0x61 && lower <= 0x7A {
      let share = letterFrequencies[Int(lower - 0x61)] * 0.0007
      if caseless { return share * 1.1 }
      return byte == lower ? share : share * 0.1
    }
    switch byte {
    case 0x20: return 0.15
    case 0x30...0x39: return 0.01
    case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"),
      UInt8(ascii: ","), UInt8(ascii: "="):
      return 0.01
    default: return 0.002
    }
  }
}
