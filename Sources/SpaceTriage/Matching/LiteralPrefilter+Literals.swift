extension LiteralPrefilter {
  /// The entries of `signatures` that a prefilter built for them lists in ``alwaysRun`` (no
  /// usable literal), without building its tables.
  package static func alwaysRun(of signatures: [Signature]) -> [Int] {
    alwaysRun(probed: signatures.map(probedLiterals))
  }

  /// ``alwaysRun(of:)`` from each entry's ``probedLiterals(of:)``.
  static func alwaysRun(probed: [[String]?]) -> [Int] {
    probed.indices.filter { probed[$0] == nil }
  }

  /// Whether the entry's literals are found in any case.
  static func isCaseless(_ signature: Signature) -> Bool {
    signature.caseless || signature.pattern.hasPrefix("(?i)")
  }

  /// The literals the prefilter probes for an entry (its `literals:`, else those
  /// ``LiteralExtractor`` finds in its pattern; a caseless literal in each of its spellings),
  /// or `nil` when it has none usable: one is missing, too short, or spans lines.
  static func probedLiterals(of signature: Signature) -> [String]? {
    let caseless = isCaseless(signature)
    let required =
      (signature.literals.isEmpty
      ? LiteralExtractor.requiredLiterals(of: signature.pattern) : signature.literals)?
      .flatMap { caseless ? caselessSpellings($0) : [$0] }
    // A literal never spans lines, so a whole block of lines can be probed at once.
    guard let required,
      required.allSatisfy({ $0.utf8.count >= LiteralExtractor.minimumLength && !$0.utf8.contains(0x0A) && !$0.utf8.contains(0x0D) })
    else { return nil }
    return required
  }

  /// Whether a literal the prefilter finds in a line proves that the entry matches it, so the
  /// pattern need not run: the pattern is nothing but literals joined by `|` (no escapes, no
  /// other syntax), matched case-exactly and anywhere, and they are the very literals probed.
  /// Each is printable ASCII without `"` (so no JSON-escaped spelling selects the entry) and
  /// starts with a letter other than `T` and `Z`, so no occurrence can start inside a leading
  /// timestamp that the matched text leaves out (``LeadingTimestamp``).
  package static func isLiteralAlternation(_ signature: Signature) -> Bool {
    isLiteralAlternation(signature, probed: probedLiterals(of: signature))
  }

  /// Whether `byte` is one of PCRE2's syntax characters but `|`.
  private static func isRegexSyntax(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "\\"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: "?"), UInt8(ascii: "*"),
      UInt8(ascii: "+"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
      UInt8(ascii: "}"):
      true
    default: false
    }
  }

  /// ``isLiteralAlternation(_:)`` for an entry whose ``probedLiterals(of:)`` are `probed`.
  static func isLiteralAlternation(_ signature: Signature, probed: [String]?) -> Bool {
    guard !isCaseless(signature), !signature.anchored, let probed else { return false }
    guard !signature.pattern.utf8.contains(where: isRegexSyntax) else { return false }
    let alternatives = signature.pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    guard Set(alternatives) == Set(probed) else { return false }
    return alternatives.allSatisfy { literal in
      guard let first = literal.utf8.first, (first | 0x20) &- 0x61 < 26, first != UInt8(ascii: "T"), first != UInt8(ascii: "Z")
      else { return false }
      return literal.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 }
    }
  }
}
