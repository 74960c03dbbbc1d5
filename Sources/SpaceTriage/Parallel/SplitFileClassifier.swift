internal import Foundation
import SystemPackage

/// Classifies one large regular file on several threads, with the same result as reading it
/// from start to end.
///
/// The file is cut at line starts into segments of about `segmentSize` bytes. Worker threads
/// route each segment's lines as the sequential path does (``LineRouter``), but instead of
/// matching they record, in a compact buffer, every line the sequential path would look at:
/// lines to decode, lines with literal hits, and lines needed for traceback and banner
/// bookkeeping. The calling thread then replays the segments' records in order into one
/// ``Triage``, which alone runs PCRE2 and keeps the stages.
///
/// A worker cannot know the state a segment starts in; it assumes no open traceback, no build
/// banner waiting for its next line, and no SSE stream. When the replay reaches a segment in
/// another state, it reads that segment itself, line by line, until its state is the assumed
/// one again (a traceback has closed), and takes the worker's records from there on. From that
/// line the worker's view and the real one agree, because both saw the same lines since.
///
/// Workers also match the lines with literals (all entries but those the triage may mute), and
/// send a snapshot of an open traceback instead of its frame lines, so that the replay does
/// little more than the triage's own bookkeeping.
///
/// The workers are an ``OrderedWorkerPool``, the one ``BatchClassifier`` uses too. Memory: at
/// most `jobs + 2` segments' records are held at once (`jobs + 1` waiting, one being replayed).
final class SplitFileClassifier: @unchecked Sendable {
  // SAFETY: `spareBuffers` is guarded by `lock`; the rest is immutable, and the prefilter is
  // shared read-only.
  private let descriptor: FileDescriptor
  private let segments: [Range<Int>]
  private let prefilter: LiteralPrefilter
  private let readSize: Int
  private let window: Int
  private let lock = NSLock()
  /// Record buffers already replayed, for the workers to fill again.
  private var spareBuffers: [UnsafeMutableRawBufferPointer] = []

  /// The default segment size.
  static let defaultSegmentSize = 4 << 20
  /// Bytes read at a time while the calling thread reads the start of a segment itself.
  static let catchUpReadSize = 16 << 10

  private init(descriptor: FileDescriptor, segments: [Range<Int>], prefilter: LiteralPrefilter, readSize: Int, jobs: Int) {
    self.descriptor = descriptor
    self.segments = segments
    self.prefilter = prefilter
    self.readSize = readSize
    self.window = jobs + 1
  }

  deinit {
    for buffer in spareBuffers { buffer.deallocate() }
  }

  /// Classifies the first `size` bytes of the file open on `descriptor` (the file as it was
  /// when opened: bytes appended since are not read) with `jobs` worker threads, replaying
  /// into `classifier`'s matcher on the calling thread.
  ///
  /// - Returns: `nil` when the classifier has no fast path (an entry without literals).
  static func classify(
    _ descriptor: FileDescriptor, size: Int, name: String, with classifier: Classifier, jobs: Int,
    segmentSize: Int = defaultSegmentSize
  ) throws -> Report? {
    guard classifier.scanner != nil else { return nil }
    var sample = [UInt8](repeating: 0, count: min(size, LineReader<MemorySource>.defaultReadSize))
    let sampled = try sample.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: 0, into: $0, retryOnInterrupt: true) }
    let prefilter = sample.withUnsafeBytes {
      LiteralPrefilter(
        signatures: classifier.catalog.signatures, markers: LineRouter.markers,
        sample: UnsafeRawBufferPointer(rebasing: $0[0..<sampled]))
    }
    let segments = try lineAlignedSegments(descriptor, size: size, segmentSize: max(1, segmentSize))
    let split = SplitFileClassifier(
      descriptor: descriptor, segments: segments, prefilter: prefilter, readSize: classifier.readSize, jobs: jobs)
    return try split.run(name: name, classifier: classifier, jobs: jobs)
  }

  /// Cuts `0..<size` into ranges of about `segmentSize` bytes, each ending after a newline
  /// (the last one at `size`).
  static func lineAlignedSegments(_ descriptor: FileDescriptor, size: Int, segmentSize: Int) throws -> [Range<Int>] {
    var segments: [Range<Int>] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
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

  private func run(name: String, classifier: Classifier, jobs: Int) throws -> Report {
    // Each worker matches with a matcher of its own (match data is per thread).
    let catalog = classifier.catalog
    let matchLimit = classifier.matcher.matchLimit
    let pool = OrderedWorkerPool<Result<SegmentRecord, any Error>>(count: segments.count, workers: jobs, window: window) {
      [self] in
      let recorder = SegmentRecorder(
        prefilter: prefilter, matcher: LineMatcher(catalog: catalog, matchLimit: matchLimit))
      return { index in
        let buffer = self.lock.withLock { self.spareBuffers.popLast() }
        return Result {
          try recorder.record(FileRangeSource(self.descriptor, range: self.segments[index]), readSize: self.readSize, into: buffer)
        }
      }
    }
    // No worker reads the file once this returns (the caller closes it).
    defer { pool.finish() }
    let triage = Triage(matcher: classifier.matcher)
    let decoder = classifier.decoder
    decoder.reset()
    let sink = TriageSink(triage: triage, decoder: decoder)
    let router = LineRouter(decoder: decoder, scanner: BlockScanner(prefilter: prefilter))
    var lines = 0
    var bytes = 0
    var truncatedLines = 0
    var catchUpBuffer: LineBuffer?
    for (index, segment) in segments.enumerated() {
      let record: SegmentRecord
      switch pool.take(index) {
      case .success(let taken): record = taken
      case .failure(let error): throw error
      }
      sink.lineOffset = lines
      // Lines this thread reads itself, until the segment is in the state its worker assumed.
      var caughtUp = 0
      if triage.needsEveryLine || decoder.sawSSE {
        // An open traceback or banner ends within a few lines: read a little at a time (an
        // SSE stream never ends, so the whole segment is read).
        let catchUpReadSize = decoder.sawSSE ? readSize : min(readSize, Self.catchUpReadSize)
        var reader = LineReader(FileRangeSource(descriptor, range: segment), readSize: catchUpReadSize, reusing: catchUpBuffer)
        catchUpBuffer = reader.lineBuffer
        try router.route(&reader, to: sink) { _ in !triage.needsEveryLine && !decoder.sawSSE }
        caughtUp = reader.lineCount
      }
      record.replay(after: caughtUp, into: sink, prefilter: prefilter)
      lines += record.lines
      bytes += record.bytesRead
      truncatedLines += record.truncatedLines
      let buffer = record.releaseBuffer()
      lock.withLock { spareBuffers.append(buffer) }
    }
    return triage.finish(source: name, lines: lines, bytes: bytes, truncatedLines: truncatedLines)
  }
}
