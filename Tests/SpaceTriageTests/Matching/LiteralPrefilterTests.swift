import SpaceTriage
import Testing

struct LiteralPrefilterTests {
  private func signature(_ id: String, _ pattern: String, caseless: Bool = false) -> Signature {
    Signature(id: id, title: id, stage: .running, signatureClass: .persistent, pattern: pattern, caseless: caseless)
  }

  private func candidates(_ prefilter: LiteralPrefilter, _ line: String) -> Set<Int> {
    var found: Set<Int> = []
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { buffer in
      prefilter.forEachCandidate(in: UnsafeRawBufferPointer(buffer)) { found.insert($0) }
    }
    return found
  }

  @Test func findsLiteralsAtEveryOffset() {
    let prefilter = LiteralPrefilter(signatures: [
      signature("a.one", "No CUDA GPUs are available"), signature("a.two", "runtime error", caseless: true),
      signature("a.three", #"\d+"#),
    ])
    #expect(prefilter.alwaysRun == [2])
    for padding in 0..<12 {
      let prefix = String(repeating: "x", count: padding)
      #expect(candidates(prefilter, prefix + "RuntimeError: No CUDA GPUs are available") == [0], "offset \(padding)")
      #expect(candidates(prefilter, prefix + "RUNTIME ERROR here") == [1], "offset \(padding)")
      #expect(candidates(prefilter, prefix + "No CUDA GPUs are availabl") == [], "offset \(padding)")
    }
  }

  @Test func caseSensitiveLiteralsStayCaseSensitive() {
    let prefilter = LiteralPrefilter(signatures: [signature("a.one", "OOMKilled")])
    #expect(candidates(prefilter, "Reason: OOMKilled") == [0])
    #expect(candidates(prefilter, "Reason: oomkilled") == [])
  }

  @Test func explicitLiteralsWin() {
    var entry = signature("a.one", #"\w+ failed"#)
    entry.literals = ["failed"]
    let prefilter = LiteralPrefilter(signatures: [entry])
    #expect(prefilter.alwaysRun.isEmpty)
    #expect(candidates(prefilter, "build failed") == [0])
  }
}
