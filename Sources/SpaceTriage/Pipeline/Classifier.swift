/// The facade: bytes in, a ``Report`` out.
///
/// `source → LineReader → LineDecoder → LineMatcher → Triage (stages, findings) → VerdictEngine`.
///
/// The fast path (``LineRouter``): a block scan finds the few lines with a literal, an escape
/// byte or a JSON/SSE start, and the reader counts its way over the others. The results are
/// those of running every pattern on every line (a test compares both on every Corpus log, at
/// several read sizes).
///
/// One classifier serves one thread at a time (it owns reusable scratch space); create one per
/// thread over a shared ``CompiledCatalog``.
public final class Classifier {
  /// The compiled catalog.
  public let catalog: CompiledCatalog
  let matcher: LineMatcher
  let decoder: LineDecoder
  /// `nil` when some entry must run on every line anyway.
  let scanner: BlockScanner?
  let readSize: Int
  /// What each input's triage derives from the catalog, made once.
  let triageTables: TriageTables
  /// The line buffer ``entriesFound(in:)`` reads into, kept from one call to the next.
  private var entriesFoundBuffer: LineBuffer?

  /// Bytes read at a time unless told otherwise (the line reader's default).
  public static let defaultReadSize = LineReader<MemorySource>.defaultReadSize

  /// - Parameters:
  ///   - usesPrefilter: `false` runs every pattern on every line (the plain engine, for
  ///     checking that the prefilter changes nothing but speed).
  ///   - readSize: bytes read at a time (tests use small sizes to exercise block boundaries).
  public init(catalog: CompiledCatalog, usesPrefilter: Bool = true, readSize: Int = Classifier.defaultReadSize) {
    self.catalog = catalog
    self.matcher = LineMatcher(catalog: catalog, usesPrefilter: usesPrefilter)
    self.decoder = LineDecoder()
    // Block scanning pays off only when most lines can be passed over.
    self.scanner = matcher.hasAlwaysRunEntries ? nil : BlockScanner(signatures: catalog.signatures, markers: LineRouter.markers, probed: catalog.probedLiterals)
    scanner?.muted = matcher.mutedEntries
    self.readSize = readSize
    self.triageTables = TriageTables(catalog: catalog)
  }

  /// Whether this classifier takes the fast path (literal prefilter and block scan). It does
  /// not when built with `usesPrefilter: false`, or when some entry has no literal and must run
  /// on every line: tests comparing the fast path with the plain engine check it first.
  package var usesFastPath: Bool { scanner != nil }

  /// Reads `source` to its end and classifies it.
  ///
  /// - Parameters:
  ///   - name: the input's name in the report (a path or `-`).
  ///   - onEvent: called with each stage change and new finding as its line is read.
  /// - Throws: what `source` throws (an I/O error).
  public func classify<Source: ByteSource>(
    _ source: Source, name: String, onEvent: ((TriageEvent) -> Void)? = nil
  ) throws -> Report {
    var reader = LineReader(source, readSize: readSize)
    let triage = Triage(matcher: matcher, tables: triageTables)
    triage.onEvent = onEvent
    let decoder = self.decoder
    decoder.reset()
    try LineRouter(decoder: decoder, scanner: scanner).route(&reader, to: TriageSink(triage: triage, decoder: decoder))
    return triage.finish(
      source: name, lines: reader.lineCount, bytes: reader.bytesRead, truncatedLines: reader.truncatedLines)
  }

  /// The entries the engine finds in `text`, in catalog order: the fast path's routing (block
  /// scan, decoding) and matching (prefilter, then the patterns), without the stage and verdict
  /// bookkeeping. The catalog checks run every example through it.
  func entriesFound(in text: String) -> [Int] {
    // The catalog check calls this for every near variant of every example: one buffer for all.
    var reader = LineReader(MemorySource(text), readSize: readSize, reusing: entriesFoundBuffer)
    entriesFoundBuffer = reader.lineBuffer
    decoder.reset()
    matcher.resetProblems()
    let recorder = MatchRecorder(matcher: matcher, decoder: decoder)
    // MemorySource never throws.
    try? LineRouter(decoder: decoder, scanner: scanner).route(&reader, to: recorder)
    return recorder.found.sorted()
  }

  /// Classifies a string (tests and library users).
  public func classify(text: String, name: String = "-") -> Report {
    // MemorySource never throws.
    (try? classify(MemorySource(text), name: name))
      ?? Report(
        source: name, lines: 0, bytes: 0, verdict: .unknown, finalStage: nil, primary: nil,
        escalated: false, attempts: 0, stages: [], findings: [], advice: [])
  }
}

/// A sink that only notes which entries match the lines routed to it.
private final class MatchRecorder: LineSink {
  let matcher: LineMatcher
  let decoder: LineDecoder
  var found: Set<Int> = []

  init(matcher: LineMatcher, decoder: LineDecoder) {
    self.matcher = matcher
    self.decoder = decoder
  }

  var needsEveryLine: Bool { false }

  func decodedLine(_ line: RawLine) {
    decoder.load(line.bytes)
    while let text = decoder.nextText() {
      matcher.forEachMatch(in: text, line: line.number) { found.insert($0) }
    }
  }

  func plainLine(_ line: RawLine, hits: LiteralPrefilter.LineHits) {
    matcher.forEachMatch(in: line.bytes, line: line.number, hits: hits) { found.insert($0) }
  }

  func unmatchedLine(_ line: RawLine) {}

  func unmatchedStructuredLine(_ line: RawLine) { decoder.noteSkippedLine(line.bytes) }
}
