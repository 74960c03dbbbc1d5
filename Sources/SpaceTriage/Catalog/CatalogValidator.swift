import PCRE2Swift

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The catalog checks shared by `space-triage patterns test` and the `CatalogTests` target.
///
/// 1. ids are sorted within each file (uniqueness and schema are the loader's job);
/// 2. every `must-match` line matches and every `must-not-match` line does not, both by the
///    pattern alone and through the real engine (a ``Classifier`` with its literal prefilter and
///    block scan, on the line as a one-line input): an entry whose `literals` miss some of its
///    matches passes the first check and fails the second;
/// 3. every `must-match` line still matches behind common log noise (unless `anchored`);
/// 4. no `must-match` line of one failure entry is also matched by a failure entry of another
///    class with at least its priority (the verdict would depend on that other entry);
/// 5. the near variants of every `must-match` line (one byte changed, inserted or removed) that the
///    pattern still matches are found by the engine too: `literals` written by hand must cover
///    every match, not only the examples (`HTTP/1.1" ` misses a pattern's `HTTP/[\d.]+"`).
public struct CatalogValidator {
  /// Prefixes a real log puts in front of a line; a pattern must not depend on their absence.
  public static let noisePrefixes = ["2026-04-15T10:00:00.123Z ", "==> ", "\u{1B}[31m", "#12 3.456 ", "INFO: "]

  public let catalog: CompiledCatalog
  private let matchData = PCRE2MatchData()
  /// The engine as `classify` runs it (prefilter and block scan), reused for every example.
  private let classifier: Classifier

  public init(catalog: CompiledCatalog) {
    self.catalog = catalog
    self.classifier = Classifier(catalog: catalog)
  }

  /// How one example behaved.
  public enum Outcome: Equatable, Sendable {
    case matched, notMatched
    case error(String)
  }

  /// Whether entry `index` matches `text`.
  public func evaluate(_ index: Int, _ text: String) -> Outcome {
    var bytes = Array(text.utf8)
    guard let pattern = catalog.patterns[index] else { return .error("the pattern does not compile") }
    do {
      let matched = try bytes.withUnsafeMutableBytes { buffer in
        try matchData.matches(pattern, in: UnsafeRawBufferPointer(buffer))
      }
      return matched ? .matched : .notMatched
    } catch {
      return .error("\(error)")
    }
  }

  /// Whether the real engine finds entry `index` in `text`, given as a one-line input: the
  /// literal prefilter and the block scan choose the candidates, as in `classify`.
  public func engineFinds(_ index: Int, _ text: String) -> Bool {
    classifier.entriesFound(in: text + "\n").contains(index)
  }

  /// Bytes that the near variants of an example put in place of each of its bytes: digits,
  /// letters of both cases and the punctuation that patterns spell out (`{` and ESC are left
  /// out: they would make the line JSON or coloured, which the decoder rewrites).
  static let variantBytes = Array("09azAZ.-_/:([\"'= ".utf8)

  /// One byte changed at a position of an example line.
  enum NearChange {
    case replace(UInt8)
    case insert(UInt8)
    case remove
  }

  static let nearChanges: [NearChange] = [.remove] + variantBytes.map(NearChange.replace) + variantBytes.map(NearChange.insert)

  /// Every problem found; empty when the catalog is sound.
  public func diagnostics() -> [CatalogDiagnostic] {
    sortingProblems() + jitProblems() + exportProblems() + exampleProblems() + literalCoverageProblems()
      + shadowingProblems()
  }

  /// Entries whose pattern matches a near variant of one of their `must-match` lines (a byte of
  /// ``variantBytes`` put in place of one of its bytes or inserted, or a byte removed) that the engine then misses: the
  /// entry's literals do not cover every match (the prefilter would pass such a line over). One
  /// diagnostic per entry, naming the first such variant.
  public func literalCoverageProblems() -> [CatalogDiagnostic] {
    var problems: [CatalogDiagnostic] = []
    let plain = Classifier(catalog: catalog, usesPrefilter: false)
    let prefilter = catalog.prefilter
    entries: for (index, signature) in catalog.signatures.enumerated() {
      guard let pattern = catalog.patterns[index] else { continue }
      for example in signature.mustMatch {
        let original = Array(example.text.utf8)
        for position in original.indices {
          for change in Self.nearChanges {
            if case .replace(let byte) = change, byte == original[position] { continue }
            var variant = original
            switch change {
            case .replace(let byte): variant[position] = byte
            case .insert(let byte): variant.insert(byte, at: position)
            case .remove: variant.remove(at: position)
            }
            let matched = (try? variant.withUnsafeMutableBytes { try matchData.matches(pattern, in: UnsafeRawBufferPointer($0)) }) ?? false
            // Most variants keep a literal: then the engine runs the pattern on the line as it is.
            guard matched, !Self.runsPattern(index, onPlainLine: variant, prefilter: prefilter),
              let text = String(validating: variant, as: UTF8.self),
              !engineFinds(index, text),
              // The decoder may rewrite the variant (a JSON or SSE line): then the plain engine misses it too.
              plain.entriesFound(in: text + "\n").contains(index)
            else { continue }
            problems.append(
              CatalogDiagnostic(
                location: example.location, entry: signature.id,
                message:
                  "the pattern matches \(text.debugDescription) (this line, one byte changed) but `classify` misses it: the entry's `literals` do not cover every match"))
            continue entries
          }
        }
      }
    }
    return problems
  }

  /// Whether the engine surely runs entry `index`'s pattern on `line` as it is: the line is
  /// plain text (no JSON or SSE start, no escape byte, no collector's timestamp in front) and
  /// holds one of the entry's literals. A shortcut of ``engineFinds(_:_:)`` for a line the
  /// pattern matches.
  static func runsPattern(_ index: Int, onPlainLine line: [UInt8], prefilter: LiteralPrefilter) -> Bool {
    line.withUnsafeBytes { bytes in
      guard let base = bytes.baseAddress, bytes[0] != UInt8(ascii: "{"), memchr(base, 0x1B, bytes.count) == nil,
        bytes.count < 5 || memcmp(base, "data:", 5) != 0, LeadingTimestamp.stripped(bytes).count == bytes.count
      else { return false }
      var selected = false
      prefilter.forEachCandidate(in: bytes) { if $0 == index { selected = true } }
      return selected
    }
  }

  /// Failure patterns that `rg -f` could not read once exported (``PatternExport``): its
  /// default engine has no look-around and no back-references, and the catalog is timed side by
  /// side with it.
  public func exportProblems() -> [CatalogDiagnostic] {
    let unsupported = ["(?=", "(?!", "(?<=", "(?<!", "\\k<", "\\g{"] + (1...9).map { "\\\($0)" }
    return catalog.signatures.compactMap { signature in
      guard signature.signatureClass.isFailure,
        let construct = unsupported.first(where: { signature.pattern.contains($0) })
      else { return nil }
      return CatalogDiagnostic(
        location: signature.patternLocation, entry: signature.id,
        message: "failure patterns are exported for `rg -f`, which has no look-around or back-reference (`\(construct)`)")
    }
  }

  /// Patterns PCRE2 could not JIT-compile (they still work, through the slower interpreter).
  public func jitProblems() -> [CatalogDiagnostic] {
    zip(catalog.signatures, catalog.patterns).compactMap { signature, pattern in
      pattern?.isJITCompiled ?? true
        ? nil
        : CatalogDiagnostic(
          location: signature.patternLocation, entry: signature.id,
          message: "pattern does not JIT-compile; it would run on PCRE2's slower interpreter")
    }
  }

  /// Entries out of id order within their file.
  public func sortingProblems() -> [CatalogDiagnostic] {
    var problems: [CatalogDiagnostic] = []
    let byFile = Dictionary(grouping: catalog.signatures, by: \.location.file)
    for (_, entries) in byFile {
      let inFileOrder = entries.sorted { $0.location.line < $1.location.line }
      for (previous, next) in zip(inFileOrder, inFileOrder.dropFirst()) where next.id < previous.id {
        problems.append(
          CatalogDiagnostic(
            location: next.location, entry: next.id,
            message: "entries must be sorted by id: `\(next.id)` comes after `\(previous.id)`"))
      }
    }
    return problems.sorted { ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line) }
  }

  /// Examples that do not behave as declared (including behind noise prefixes).
  public func exampleProblems() -> [CatalogDiagnostic] {
    var problems: [CatalogDiagnostic] = []
    for (index, signature) in catalog.signatures.enumerated() {
      if signature.mustMatch.count < 1 || signature.mustNotMatch.count < 1 {
        problems.append(
          CatalogDiagnostic(
            location: signature.location, entry: signature.id,
            message: "an entry needs at least one `must-match` and one `must-not-match` line"))
      }
      for example in signature.mustMatch {
        switch evaluate(index, example.text) {
        case .matched:
          if !engineFinds(index, example.text) {
            problems.append(
              CatalogDiagnostic(
                location: example.location, entry: signature.id,
                message: "must-match line matches the pattern, but `classify` does not find the entry in it (do the entry's `literals` cover every match?)"))
          }
          guard !signature.anchored else { continue }
          for prefix in CatalogValidator.noisePrefixes where evaluate(index, prefix + example.text) != .matched {
            problems.append(
              CatalogDiagnostic(
                location: example.location, entry: signature.id,
                message:
                  "must-match line no longer matches behind the prefix \(prefix.debugDescription) (anchored by accident? set `anchored: true` if on purpose)"))
          }
        case .notMatched:
          problems.append(CatalogDiagnostic(location: example.location, entry: signature.id, message: "must-match line does not match"))
        case .error(let message):
          problems.append(CatalogDiagnostic(location: example.location, entry: signature.id, message: "must-match line: \(message)"))
        }
      }
      for example in signature.mustNotMatch {
        switch evaluate(index, example.text) {
        case .notMatched:
          if engineFinds(index, example.text) {
            problems.append(
              CatalogDiagnostic(location: example.location, entry: signature.id, message: "must-not-match line: `classify` finds the entry in it"))
          }
        case .matched:
          problems.append(CatalogDiagnostic(location: example.location, entry: signature.id, message: "must-not-match line matches"))
        case .error(let message):
          problems.append(CatalogDiagnostic(location: example.location, entry: signature.id, message: "must-not-match line: \(message)"))
        }
      }
    }
    return problems
  }

  /// Entries whose pattern hits PCRE2's match or depth limit on some line of these log files:
  /// a catastrophically backtracking pattern is a catalog bug.
  public func runawayProblems(onLogs paths: [String]) -> [CatalogDiagnostic] {
    let classifier = Classifier(catalog: catalog)
    var problems: [CatalogDiagnostic] = []
    var seen: Set<String> = []
    for path in paths {
      guard case .success(let report) = BatchClassifier.classify(.file(path), with: classifier) else { continue }
      for problem in report.catalogProblems where seen.insert(problem).inserted {
        problems.append(CatalogDiagnostic(location: SourceLocation(file: path, line: 0, column: 0), message: problem))
      }
    }
    return problems
  }

  /// Failure examples that another failure entry of a different class would outrank or tie.
  public func shadowingProblems() -> [CatalogDiagnostic] {
    var problems: [CatalogDiagnostic] = []
    let signatures = catalog.signatures
    for (owner, signature) in signatures.enumerated() where signature.signatureClass.isFailure {
      for example in signature.mustMatch {
        for (other, rival) in signatures.enumerated()
        where other != owner && rival.signatureClass.isFailure && rival.signatureClass != signature.signatureClass
          && rival.priority >= signature.priority && evaluate(other, example.text) == .matched
        {
          problems.append(
            CatalogDiagnostic(
              location: example.location, entry: signature.id,
              message: "shadowed: `\(rival.id)` (\(rival.signatureClass.rawValue), priority \(rival.priority)) also matches this "
                + "\(signature.signatureClass.rawValue) line with priority >= \(signature.priority); raise this entry's priority or narrow the other pattern"))
        }
      }
    }
    return problems
  }
}
