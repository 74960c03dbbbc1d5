extension LiteralPrefilter {
  /// The entries of `signatures` that a prefilter built for them lists in ``alwaysRun`` (no
  /// usable literal), without building its tables.
  package static func alwaysRun(of signatures: [Signature]) -> [Int] {
    signatures.indices.filter { probedLiterals(of: signatures[$0]) == nil }
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
}
