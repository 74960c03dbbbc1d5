internal import Foundation
package import PCRE2Swift

/// A catalog whose patterns are compiled and JIT-compiled, ready to be shared by threads.
///
/// An entry whose pattern is known to compile (``Signature/patternIsKnownGood``: the bundled
/// catalog, which a test compiles whole) is compiled on first use, so a run pays only for the
/// patterns its lines make candidates; every other pattern is compiled here, so a user catalog
/// still reports an invalid pattern when it is loaded.
public final class CompiledCatalog: Sendable {
  /// The entries, in catalog order (sorted by id).
  public let signatures: [Signature]
  /// `patterns[i]` is the compiled pattern of `signatures[i]`.
  package let patterns: CompiledPatterns
  /// The entries without a literal for the prefilter (run on every line): those of
  /// ``prefilter``'s ``LiteralPrefilter/alwaysRun``, known without building it.
  package let alwaysRun: [Int]
  /// Per entry, whether a literal of it in a line proves that the entry matches, so that its
  /// pattern need not run (``LiteralPrefilter/isLiteralAlternation(_:)``).
  package let provenByLiteral: [Bool]
  /// Each entry's ``LiteralPrefilter/probedLiterals(of:)``, found once for every prefilter
  /// built for this catalog.
  package let probedLiterals: [[String]?]
  /// The entries that only mark `running` (serving lines, access logs): the ones a triage
  /// mutes while its Space runs.
  package let runningMarkers: [Int]
  /// The Python exception and Node error shapes: the triage does not run them inside an open
  /// traceback (the traceback reads its own exception line).
  package let exceptionShapes: [Int]
  /// Each id's entry (the first, were an id listed twice).
  private let indexByID: [String: Int]
  /// The literal prefilter that decides which patterns a line can possibly match, built on
  /// first use: a classifier on the fast path probes with its own, tuned on its input
  /// (``BlockScanner``), and needs this one only for lines it probes one by one.
  package var prefilter: LiteralPrefilter {
    prefilterLock.lock()
    defer { prefilterLock.unlock() }
    if let prefilterStorage { return prefilterStorage }
    let built = LiteralPrefilter(signatures: signatures, probed: probedLiterals)
    prefilterStorage = built
    return built
  }
  // SAFETY: read and written only under `prefilterLock`; once set, never changes (so a caller
  // may keep an unowned reference to it while it keeps the catalog).
  private nonisolated(unsafe) var prefilterStorage: LiteralPrefilter?
  private let prefilterLock = NSLock()

  /// Compiles every pattern not known to compile (all of them with `compilingEagerly`).
  ///
  /// - Throws: ``CatalogDiagnostics`` with one diagnostic per pattern that does not compile,
  ///   naming the file, the entry, PCRE2's message, and a caret under the offending column.
  public init(_ catalog: Catalog, compilingEagerly: Bool = false) throws(CatalogDiagnostics) {
    var patterns: [PCRE2Pattern?] = []
    var problems: [CatalogDiagnostic] = []
    patterns.reserveCapacity(catalog.signatures.count)
    for signature in catalog.signatures {
      if signature.patternIsKnownGood && !compilingEagerly {
        patterns.append(nil)
        continue
      }
      do {
        patterns.append(try PCRE2Pattern(signature.pattern, options: signature.caseless ? .caseless : []))
      } catch {
        problems.append(CompiledCatalog.diagnostic(for: error, in: signature))
      }
    }
    if !problems.isEmpty { throw CatalogDiagnostics(problems) }
    self.signatures = catalog.signatures
    self.patterns = CompiledPatterns(signatures: catalog.signatures, compiled: patterns)
    // Each entry's literals found once for these tables and every prefilter.
    let probed = catalog.signatures.map(LiteralPrefilter.probedLiterals)
    self.probedLiterals = probed
    self.alwaysRun = LiteralPrefilter.alwaysRun(probed: probed)
    self.provenByLiteral = zip(catalog.signatures, probed).map(LiteralPrefilter.isLiteralAlternation)
    self.indexByID = Dictionary(catalog.signatures.indices.map { (catalog.signatures[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
    self.runningMarkers = catalog.signatures.indices.filter {
      let entry = catalog.signatures[$0]
      return entry.signatureClass == .info && entry.effect == .stage && entry.stage == .running
    }
    self.exceptionShapes = catalog.signatures.indices.filter {
      let entry = catalog.signatures[$0]
      guard entry.signatureClass == .info && entry.effect == .failureShape else { return false }
      return [.pythonException, .nodeError].contains(ShapeKind(id: entry.id))
    }
  }

  /// The index of the entry with this id.
  public func index(of id: String) -> Int? { indexByID[id] }

  static func diagnostic(for error: PCRE2Error, in signature: Signature) -> CatalogDiagnostic {
    guard case .compile(let offset) = error.kind else {
      return CatalogDiagnostic(location: signature.patternLocation, entry: signature.id, message: "\(error)")
    }
    // The offset counts bytes of the pattern; the column counts characters of the source line.
    let characters = String(decoding: signature.pattern.utf8.prefix(offset), as: UTF8.self).count
    var location = signature.patternLocation
    location.column += characters
    let prefix = String(repeating: " ", count: max(0, signature.patternLocation.column - 1))
    let caret = String(repeating: " ", count: max(0, location.column - 1)) + "^"
    return CatalogDiagnostic(
      location: location, entry: signature.id,
      message: "pattern does not compile: \(error.message) (PCRE2 error \(error.code) at offset \(offset))",
      snippet: "  \(prefix)\(signature.pattern)\n  \(caret)")
  }
}

/// The compiled patterns of a ``CompiledCatalog``, by entry: each compiled at most once, on
/// first use or when the catalog was compiled, and then shared by every thread.
///
/// An element is `nil` only for a pattern that was said to compile and does not (the bundled
/// catalog's test rules that out); such an entry matches no line.
package final class CompiledPatterns: RandomAccessCollection, @unchecked Sendable {
  // SAFETY: `slots` and `pending` are read and written only under `lock`. A slot, once
  // filled, never changes; the patterns it holds live as long as this object, so a caller may
  // keep an unowned reference to one while it keeps the catalog.
  private let sources: [(pattern: String, options: PCRE2Options)]
  private let slots: UnsafeMutableBufferPointer<PCRE2Pattern?>
  private let tried: UnsafeMutableBufferPointer<Bool>
  private let lock = NSLock()

  init(signatures: [Signature], compiled: [PCRE2Pattern?]) {
    sources = signatures.map { ($0.pattern, $0.caseless ? .caseless : []) }
    slots = .allocate(capacity: Swift.max(1, compiled.count))
    _ = slots.initialize(from: compiled)
    tried = .allocate(capacity: Swift.max(1, compiled.count))
    _ = tried.initialize(from: compiled.map { $0 != nil })
  }

  deinit {
    _ = slots.prefix(sources.count).deinitialize()
    slots.deallocate()
    tried.deallocate()
  }

  package var startIndex: Int { 0 }
  package var endIndex: Int { sources.count }

  /// The compiled pattern of entry `index`, compiled now if this is its first use.
  package subscript(index: Int) -> PCRE2Pattern? {
    lock.lock()
    defer { lock.unlock() }
    if tried[index] { return slots[index] }
    tried[index] = true
    let source = sources[index]
    slots[index] = try? PCRE2Pattern(source.pattern, options: source.options)
    return slots[index]
  }

  /// How many patterns are compiled so far.
  package var compiledCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return slots.prefix(sources.count).reduce(0) { $0 + ($1 == nil ? 0 : 1) }
  }
}
