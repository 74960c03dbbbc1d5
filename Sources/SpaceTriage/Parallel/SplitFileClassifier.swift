internal import Foundation
import SystemPackage

/// Classifies one large regular file on several threads, with the same result as reading it
/// from start to end.
///
/// The file is cut at line starts into segments of about `segmentSize` bytes. Worker threads
/// read each segment into memory and probe it in full for the catalog's literals (a
/// ``ScannedSegment``): the reading and the block scan, which take about half of the sequential
/// path's time and depend on nothing before the segment. The calling thread takes the segments
/// in order and routes their lines into one ``Triage`` exactly as the sequential path does
/// (``LineRouter``), from the segment's memory and with the worker's hits instead of reading
/// and probing: the triage's state (tracebacks, banners, SSE, muted entries) flows from one
/// segment into the next as it would in one reader.
///
/// A worker that would wait (the calling thread being the slower side: the segments it may
/// read ahead are all read) goes back to the newest segment read but not routed, runs the
/// candidates of its lines holding a hit and writes the templates of possible unrecognised
/// failures (``ScannedSegment/matchAhead(with:)``): the calling thread then only
/// leaves out what is muted at that moment. That pass costs the worker about what it saves the
/// calling thread, so it is run only on time the worker would otherwise spend waiting
/// (``OrderedWorkerPool/Worker/improve``). When the workers are the slower side, the calling
/// thread does not wait for a segment but reads and probes the next one no worker has taken
/// itself (without the pass, which would only move its own work around): the work is shared
/// whatever the mix of lines.
/// `jobs` threads in all: `jobs - 1` workers and the calling thread.
///
/// The workers are an ``OrderedWorkerPool``, the one ``BatchClassifier`` uses too. Memory: at
/// most `jobs + 2` segments are held at once (`jobs + 1` waiting, one being routed); a segment
/// larger than ``largestHeldSegment`` (a line of many megabytes) is not held but read by the
/// calling thread itself.
final class SplitFileClassifier: @unchecked Sendable {
  // SAFETY: `spareSegments` is guarded by `lock`; the rest is immutable, and the prefilter is
  // shared read-only.
  private let descriptor: FileDescriptor
  private let segments: [Range<Int>]
  private let prefilter: LiteralPrefilter
  private let readSize: Int
  private let window: Int
  private let largest: Int
  private let lock = NSLock()
  /// Segments already routed, to be filled again.
  private var spareSegments: [ScannedSegment] = []

  /// The default segment size.
  static let defaultSegmentSize = 512 << 10

  /// The largest segment held in memory, for segments of `segmentSize` bytes.
  static func largestHeldSegment(segmentSize: Int) -> Int { 2 * segmentSize + LineReader<MemorySource>.defaultMaxLineLength }

  private init(
    descriptor: FileDescriptor, segments: [Range<Int>], prefilter: LiteralPrefilter, readSize: Int, jobs: Int, largest: Int
  ) {
    self.descriptor = descriptor
    self.segments = segments
    self.prefilter = prefilter
    self.readSize = readSize
    self.window = jobs + 1
    self.largest = largest
  }

  /// Classifies the first `size` bytes of the file open on `descriptor` (the file as it was
  /// when opened: bytes appended since are not read) with `jobs` threads: `jobs - 1` workers
  /// reading and probing, and the calling thread routing the lines into `classifier`'s matcher.
  ///
  /// - Returns: `nil` when the classifier has no fast path (an entry without literals).
  static func classify(
    _ descriptor: FileDescriptor, size: Int, name: String, with classifier: Classifier, jobs: Int,
    segmentSize: Int = defaultSegmentSize, matchingAhead: MatchingAhead = .whenIdle
  ) throws -> Report? {
    guard classifier.scanner != nil else { return nil }
    var sample = [UInt8](repeating: 0, count: min(size, LineReader<MemorySource>.defaultReadSize))
    let sampled = try sample.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: 0, into: $0, retryOnInterrupt: true) }
    let prefilter = sample.withUnsafeBytes {
      LiteralPrefilter(
        signatures: classifier.catalog.signatures, markers: LineRouter.markers,
        sample: UnsafeRawBufferPointer(rebasing: $0[0..<sampled]), probed: classifier.catalog.probedLiterals)
    }
    let segments = try lineAlignedSegments(descriptor, size: size, segmentSize: max(1, segmentSize))
    let split = SplitFileClassifier(
      descriptor: descriptor, segments: segments, prefilter: prefilter, readSize: classifier.readSize, jobs: jobs,
      largest: largestHeldSegment(segmentSize: max(1, segmentSize)))
    return try split.run(name: name, classifier: classifier, jobs: jobs, matchingAhead: matchingAhead)
  }

  /// Cuts `0..<size` into ranges of about `segmentSize` bytes, each ending after a newline
  /// (the last one at `size`).
  static func lineAlignedSegments(_ descriptor: FileDescriptor, size: Int, segmentSize: Int) throws -> [Range<Int>] {
    var segments: [Range<Int>] = []
    // Lines are short: a small read mostly finds the newline (a longer line takes more reads).
    var buffer = [UInt8](repeating: 0, count: 4 << 10)
    var start = 0
    while start < size {
      guard start + segmentSize < size else { break }
      // The segment ends after the first newline at or after its nominal end.
      var position = start + segmentSize - 1
      var newline: Int?
      while newline == nil && position < size {
        let count = try buffer.withUnsafeMutableBytes {
          try descriptor.read(fromAbsoluteOffset: Int64(position), into: $0, retryOnInterrupt: true)
        }
        if count == 0 { break }
        if let index = buffer[0..<count].firstIndex(of: 0x0A) { newline = position + index } else { position += count }
      }
      guard let newline, newline + 1 < size else { break }
      segments.append(start..<newline + 1)
      start = newline + 1
    }
    if start < size || segments.isEmpty { segments.append(start..<size) }
    return segments
  }

  // MARK: - Running

  /// Which segments' lines a worker matches ahead (``ScannedSegment/matchAhead(with:)``).
  enum MatchingAhead {
    /// Those read by a worker, on time it would otherwise spend waiting; not those the calling
    /// thread reads itself.
    case whenIdle
    /// Every segment as soon as it is read, or none (tests: the report is the same either way).
    case always, never
  }

  /// Reads segment `index` into a spare segment (or a new one) and probes it (and matches its
  /// lines ahead with `readAhead`).
  private func scan(_ index: Int, readAhead: ScannedSegment.ReadAhead?) -> Result<ScannedSegment, any Error> {
    let segment = lock.withLock { spareSegments.popLast() } ?? ScannedSegment()
    return Result {
      try segment.read(descriptor, range: segments[index], largest: largest, prefilter: prefilter)
      if let readAhead { segment.matchAhead(with: readAhead) }
      return segment
    }
  }

  private func run(name: String, classifier: Classifier, jobs: Int, matchingAhead policy: MatchingAhead) throws -> Report {
    let catalog = classifier.catalog
    let matchLimit = classifier.matcher.matchLimit
    let prefilter = self.prefilter
    let pool = OrderedWorkerPool<Result<ScannedSegment, any Error>>(
      count: segments.count, workers: max(1, jobs - 1), window: window
    ) { [self] in
      // Each worker matches lines with a matcher of its own (a match data per thread).
      let readAhead = policy == .never ? nil : ScannedSegment.ReadAhead(catalog: catalog, matchLimit: matchLimit, prefilter: prefilter)
      guard let readAhead, policy == .whenIdle else {
        return .init(run: { index in self.scan(index, readAhead: readAhead) })
      }
      return .init(
        run: { index in self.scan(index, readAhead: nil) },
        improve: { result in
          if case .success(let segment)? = result { segment.matchAhead(with: readAhead) }
        })
    }
    // No worker reads the file once this returns (the caller closes it).
    defer { pool.finish() }
    let triage = Triage(matcher: classifier.matcher, tables: classifier.triageTables)
    let decoder = classifier.decoder
    decoder.reset()
    let sink = TriageSink(triage: triage, decoder: decoder)
    let scanner = BlockScanner(prefilter: prefilter)
    scanner.muted = classifier.matcher.mutedEntries
    let router = LineRouter(decoder: decoder, scanner: scanner)
    var lines = 0
    var bytes = 0
    var truncatedLines = 0
    var readBuffer: LineBuffer?
    // A segment read here is not matched ahead: this thread would only do it sooner (tests:
    // with `.always`, it is).
    let ownReadAhead = policy == .always ? ScannedSegment.ReadAhead(catalog: catalog, matchLimit: matchLimit, prefilter: prefilter) : nil
    let helping = { (index: Int) in self.scan(index, readAhead: ownReadAhead) }
    for index in segments.indices {
      let segment: ScannedSegment
      switch pool.take(index, helping: helping) {
      case .success(let taken): segment = taken
      case .failure(let error): throw error
      }
      sink.lineOffset = lines
      if segment.isFilled {
        var reader = LineReader(filled: segment.buffer, count: segment.count)
        try router.route(&reader, to: sink, prescanned: segment.prescan)
        lines += reader.lineCount
        bytes += reader.bytesRead
        truncatedLines += reader.truncatedLines
      } else {
        // Too large to hold (or empty): read here, as the sequential path would.
        var reader = LineReader(FileRangeSource(descriptor, range: segments[index]), readSize: readSize, reusing: readBuffer)
        readBuffer = reader.lineBuffer
        try router.route(&reader, to: sink)
        lines += reader.lineCount
        bytes += reader.bytesRead
        truncatedLines += reader.truncatedLines
      }
      lock.withLock { spareSegments.append(segment) }
    }
    return triage.finish(source: name, lines: lines, bytes: bytes, truncatedLines: truncatedLines)
  }
}
