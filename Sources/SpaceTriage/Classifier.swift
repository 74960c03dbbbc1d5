/// The facade: bytes in, a ``Report`` out.
///
/// `source → LineReader → LineDecoder → LineMatcher → Triage (stages, findings) → VerdictEngine`.
///
/// The fast path: a ``BlockScanner`` probes every whole line buffered by the reader in one
/// pass; the lines it finds a literal, an escape byte or a JSON/SSE start in go through the
/// steps above, and the reader counts its way over the others (``LineReader/skipLines(before:stoppingAt:_:)``)
/// without handing them out. Lines inside a traceback, or right after a build banner, are each
/// looked at for that bookkeeping. The results are those of running every pattern on every
/// line (a test compares both on every Corpus log, at several read sizes).
///
/// One classifier serves one thread at a time (it owns reusable scratch space); create one per
/// thread over a shared ``CompiledCatalog``.
public final class Classifier {
  /// The compiled catalog.
  public let catalog: CompiledCatalog
  private let matcher: LineMatcher
  private let decoder: LineDecoder
  /// `nil` when some entry must run on every line anyway.
  private let scanner: BlockScanner?
  private let readSize: Int

  /// - Parameter usesPrefilter: `false` runs every pattern on every line (the plain engine,
  ///   for checking that the prefilter changes nothing but speed).
  ///   - readSize: bytes read at a time (tests use small sizes to exercise block boundaries).
  public init(catalog: CompiledCatalog, usesPrefilter: Bool = true, readSize: Int = LineReader<MemorySource>.defaultReadSize) {
    self.catalog = catalog
    self.matcher = LineMatcher(catalog: catalog, usesPrefilter: usesPrefilter)
    self.decoder = LineDecoder()
    // Block scanning pays off only when most lines can be passed over.
    self.scanner = matcher.hasAlwaysRunEntries ? nil : BlockScanner(signatures: catalog.signatures, markers: [TracebackTracker.headerText])
    self.readSize = readSize
  }

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
    let triage = Triage(matcher: matcher)
    triage.onEvent = onEvent
    let decoder = self.decoder
    decoder.reset()
    let scanner = self.scanner
    scanner?.reset()
    while let line = try reader.nextLine() {
      // The fast path for a plain line: its literals come from a scan of the whole buffered block.
      if let scanner, !line.isTruncated, decoder.isPlainText(line.bytes) {
        if scanner.needsScan(line.bytes, epoch: reader.bufferEpoch) {
          scanner.scan(reader.bufferedLines(from: line), epoch: reader.bufferEpoch)
        }
        switch scanner.lookup(line.bytes) {
        case .skip:
          // No entry can match; only traceback and banner bookkeeping may need the line.
          if triage.needsEveryLine || TracebackTracker.mayStart(line.bytes) {
            triage.observeUnmatched(text: line.bytes, line: line.number)
          }
        case .hits(let hits):
          triage.observe(text: line.bytes, line: line.number, hits: hits, timestamp: decoder.lastTimestamp)
        case .ownPass:
          observeDecoded(line, triage)
        }
        // Pass over the lines that hold no literal, no escape byte and no JSON or SSE.
        if !triage.needsEveryLine, let next = scanner.nextPointOfInterest(after: line.bytes) {
          let stops = LineDecoder.structuredLineStarts
          reader.skipLines(before: next, stoppingAt: stops.0, stops.1)
        }
        continue
      }
      observeDecoded(line, triage)
    }
    return triage.finish(
      source: name, lines: reader.lineCount, bytes: reader.bytesRead, truncatedLines: reader.truncatedLines)
  }

  /// The per-line path: decodes the line (JSON, SSE, ANSI) and matches each text it carries.
  private func observeDecoded(_ line: RawLine, _ triage: Triage) {
    decoder.load(line.bytes)
    while let text = decoder.nextText() {
      triage.observe(text: text, line: line.number, timestamp: decoder.lastTimestamp)
    }
  }

  /// Classifies a string (tests and library users).
  public func classify(text: String, name: String = "-") -> Report {
    // MemorySource never throws.
    (try? classify(MemorySource(text), name: name))
      ?? Report(source: name, lines: 0, bytes: 0, verdict: .unknown, finalStage: nil, primary: nil,
                escalated: false, attempts: 0, stages: [], findings: [], advice: [])
  }
}
