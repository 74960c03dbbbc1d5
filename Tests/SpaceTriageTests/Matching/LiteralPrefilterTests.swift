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
      // First and last 4 bytes right, the middle not (each 8-byte part is compared).
      #expect(candidates(prefilter, prefix + "No CUDA GPUs xre available") == [], "offset \(padding)")
      #expect(candidates(prefilter, prefix + "No CUDA GPUs are avaiXable") == [], "offset \(padding)")
      #expect(candidates(prefilter, prefix + "RUNTIME-ERROR here") == [], "offset \(padding)")
    }
  }

  @Test func anAlternationOfProbedLiteralsIsProvenByTheirHits() {
    #expect(LiteralPrefilter.isLiteralAlternation(signature("a", "Error: |Exception: |panic: ")))
    #expect(LiteralPrefilter.isLiteralAlternation(signature("a", "No CUDA GPUs are available")))
    // Regex syntax, case folding, anchoring: the pattern must run.
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", #"Error: \w"#)))
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", "Error: |(?:Fatal)")))
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", "runtime error", caseless: true)))
    var anchored = signature("a", "Error: |Exception: ")
    anchored.anchored = true
    #expect(!LiteralPrefilter.isLiteralAlternation(anchored))
    // A literal that may start inside a leading timestamp, or has a JSON-escaped spelling.
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", " ERROR |Error: ")))
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", "Timeout: |Error: ")))
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", "2026 failure")))
    #expect(!LiteralPrefilter.isLiteralAlternation(signature("a", #"exec "main" failed"#)))
    // Literals other than the alternatives (a user's `literals:`) prove nothing.
    var narrowed = signature("a", "Error: |Exception: ")
    narrowed.literals = ["Error: "]
    #expect(!LiteralPrefilter.isLiteralAlternation(narrowed))
  }

  @Test func alwaysRunEntriesAreKnownWithoutTheTables() {
    var explicit = signature("a.explicit", #"\w+ failed"#)
    explicit.literals = ["failed"]
    var short = signature("a.short", "OOMKilled")
    short.literals = ["OOM"]
    var multiline = signature("a.multiline", "first line")
    multiline.literals = ["first\nline"]
    let signatures = [
      signature("a.one", "No CUDA GPUs are available"), signature("a.two", #"\d+"#), explicit, short, multiline,
      signature("a.caseless", "(?i)runtime error"), signature("a.three", "x|y"),
    ]
    let alwaysRun = LiteralPrefilter.alwaysRun(of: signatures)
    #expect(alwaysRun == LiteralPrefilter(signatures: signatures).alwaysRun)
    #expect(alwaysRun == [1, 3, 4, 6])
  }

  /// A prefilter built from a compiled catalog's probed literals (found once for the catalog)
  /// is the one built from the entries themselves.
  @Test func aCompiledCatalogsProbedLiteralsBuildTheSamePrefilter() throws {
    var explicit = signature("a.explicit", #"\w+ failed"#)
    explicit.literals = ["failed"]
    let signatures = [
      signature("a.one", "No CUDA GPUs are available"), signature("a.two", #"\d+"#), explicit,
      signature("a.caseless", "runtime error", caseless: true), signature("a.three", "Error: |Exception: "),
    ]
    let catalog = try CompiledCatalog(Catalog(signatures: signatures))
    let own = LiteralPrefilter(signatures: catalog.signatures)
    let given = LiteralPrefilter(signatures: catalog.signatures, probed: catalog.probedLiterals)
    #expect(catalog.probedLiterals.map { $0 ?? [] } == own.literalsBySignature)
    #expect(given.literalsBySignature == own.literalsBySignature && given.alwaysRun == own.alwaysRun)
    for line in ["RUNTIME ERROR: step failed", "ValueError: No CUDA GPUs are available", "Exception: 42"] {
      #expect(candidates(given, line) == candidates(own, line), "\(line)")
      #expect(!candidates(given, line).isEmpty)
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

  /// A sample only changes which grams are probed, never what is found: here every gram of
  /// the literals is common in the sample, and every case of a caseless literal is still found.
  @Test(arguments: ["", "No CUDA GPUs are available; runtime error. ", "RUNTIME ERROR runtime Error no cuda gpus xyz "])
  func aSampleNeverHidesALiteral(sampleText: String) {
    let sample = Array(String(repeating: sampleText, count: 50).utf8)
    let prefilter = sample.withUnsafeBytes { bytes in
      LiteralPrefilter(
        signatures: [
          signature("a.one", "No CUDA GPUs are available"), signature("a.two", "runtime error", caseless: true),
        ], sample: bytes)
    }
    for padding in 0..<12 {
      let prefix = String(repeating: "x", count: padding)
      #expect(candidates(prefilter, prefix + "RuntimeError: No CUDA GPUs are available") == [0], "offset \(padding)")
      for spelling in ["runtime error", "RUNTIME ERROR", "RunTime eRRor"] {
        #expect(candidates(prefilter, prefix + spelling + " here") == [1], "offset \(padding), \(spelling)")
      }
      #expect(candidates(prefilter, prefix + "RuntimeError: no CUDA GPUs are available") == [], "offset \(padding)")
    }
  }
}

struct UnicodeCaseFoldTests {
  /// With UTF, a caseless `k` matches K (U+212A) and `s` matches ſ (U+017F): the prefilter
  /// must not rule such a line out.
  @Test func kelvinSignAndLongSStillFindTheEntry() throws {
    let signatures = [
      Signature(
        id: "runtime.storage-evicted", title: "evicted", stage: .running, signatureClass: .persistent,
        pattern: #"Workload evicted, storage limit exceeded"#, caseless: true)
    ]
    let catalog = try CompiledCatalog(Catalog(signatures: signatures))
    for text in ["Wor\u{212A}load evicted, storage limit exceeded (10Gi)", "Workload evicted, \u{17F}torage limit exceeded (10Gi)"] {
      let plain = Classifier(catalog: catalog, usesPrefilter: false).classify(text: text + "\n")
      let fastClassifier = Classifier(catalog: catalog)
      #expect(fastClassifier.usesFastPath)
      let fast = fastClassifier.classify(text: text + "\n")
      #expect(plain.findings.map(\.id) == ["runtime.storage-evicted"], "\(text)")
      #expect(fast == plain, "\(text)")
    }
  }

  /// A caseless literal with one or two `s`/`k` is kept whole, in each spelling: the prefilter
  /// still finds the line with ſ or K, and the ASCII spelling in any case.
  @Test func literalsWithFewFoldsAreSpelledBothWays() throws {
    let signatures = [
      Signature(
        id: "serving.app", title: "serving", stage: .running, signatureClass: .persistent,
        pattern: #"app listening on port \d+"#, caseless: true, literals: ["listening on"])
    ]
    let catalog = try CompiledCatalog(Catalog(signatures: signatures))
    #expect(catalog.prefilter.literalsBySignature == [["listening on", "li\u{17F}tening on"]])
    for text in ["Example app li\u{17F}tening on port 3000", "EXAMPLE APP LISTENING ON PORT 3000", "app Listening on port 7860"] {
      let plain = Classifier(catalog: catalog, usesPrefilter: false).classify(text: text + "\n")
      let fast = Classifier(catalog: catalog).classify(text: text + "\n")
      #expect(plain.findings.map(\.id) == ["serving.app"], "\(text)")
      #expect(fast == plain, "\(text)")
    }
  }
}
