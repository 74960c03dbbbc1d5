import Benchmark
import Foundation
import PatternCatalog
import SpaceTriage

/// Every Corpus log, concatenated, repeated to about 8 MiB: realistic lines, realistic mix.
func corpusBytes() -> [UInt8] {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")
  var logs: [UInt8] = []
  if let walker = FileManager.default.enumerator(atPath: root.path) {
    while let relative = walker.nextObject() as? String {
      guard relative.hasSuffix(".log"), let data = FileManager.default.contents(atPath: root.appendingPathComponent(relative).path) else { continue }
      logs += data
      if logs.last != 0x0A { logs.append(0x0A) }
    }
  }
  if logs.isEmpty { logs = Array("INFO: nothing to see here\n".utf8) }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(8 << 20)
  while bytes.count < 8 << 20 { bytes += logs }
  return bytes
}

func compiledCatalog() -> CompiledCatalog {
  do {
    return try CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory]))
  } catch {
    fatalError("the bundled catalog does not load: \(error)")
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
    maxDuration: .seconds(10), maxIterations: 50)

  Benchmark("classify-corpus-8MiB") { benchmark in
    let classifier = Classifier(catalog: compiledCatalog())
    let bytes = corpusBytes()
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(try classifier.classify(MemorySource(bytes), name: "corpus"))
    }
  }

  // Allocations per line (expected 0): one size only. Nearly all of its ~91 k mallocs load the
  // catalog; a single allocation per line would add a million, which the recorded p90 of
  // `mallocCountTotal` (Thresholds/6.3) catches. Comparing two sizes is done by hand (README, "Speed").
  Benchmark("classify-quiet-lines-1M") { benchmark in
    let classifier = Classifier(catalog: compiledCatalog())
    var bytes: [UInt8] = []
    let line = Array("INFO:     10.16.3.4:5123 - \"GET /gradio_api/queue/data?session_hash=ab12cd HTTP/1.1\" 200 OK\n".utf8)
    for _ in 0..<1_000_000 { bytes += line }
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(try classifier.classify(MemorySource(bytes), name: "quiet"))
    }
  }

  // The per-line path: a million lines inside an open traceback (each is looked at for its
  // frame), half of them with a literal that sends them to PCRE2. Per line: 0 allocations.
  Benchmark("classify-per-line-path-1M") { benchmark in
    let classifier = Classifier(catalog: compiledCatalog())
    var bytes = Array("Traceback (most recent call last):\n".utf8)
    let frame = Array("  File \"/home/user/app/app.py\", line 12, in <module>\n".utf8)
    let code = Array("    raise RuntimeError(\"Exit code: 1 while Building wheel for x\")\n".utf8)
    for _ in 0..<500_000 { bytes += frame + code }
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(try classifier.classify(MemorySource(bytes), name: "traceback"))
    }
  }
}
