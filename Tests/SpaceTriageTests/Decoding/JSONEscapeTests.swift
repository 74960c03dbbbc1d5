import Testing

@testable import SpaceTriage

struct JSONEscapeTests {
  private func mayHide(_ line: String, literals: String = "No CUDA GPUs/", nonASCII: Bool = false) -> Bool {
    var set = ByteSet()
    for byte in literals.utf8 { set.insert(byte) }
    if nonASCII { set.insert(0xC3) }
    let bytes = Array(line.utf8)
    return bytes.withUnsafeBytes { JSONScanner.escapesMayHideLiteral($0, literalBytes: set) }
  }

  @Test func escapesOfBytesNoLiteralHasAreHarmless() {
    #expect(!mayHide(#"data: {"data": "plain text\n"}"#))
    #expect(!mayHide(#"{"data": "a \"quoted\" word and a \\ backslash\t\r"}"#))
    #expect(!mayHide(#"{"data": "caf\u00e9"}"#), "non-ASCII, and no literal has non-ASCII bytes")
  }

  @Test func escapesThatMayHideALiteralAreCaught() {
    #expect(mayHide(#"{"data": "No CUDA GPUs\/"}"#), "`/` is in a literal")
    #expect(mayHide(#"{"data": "\u004eo CUDA"}"#), "`N` spelt as an escape")
    #expect(mayHide(#"{"data": "\u001b[31mNo CUDA\u001b[0m"}"#), "ESC: the text loses its ANSI sequences")
    #expect(mayHide(#"{"data": "caf\u00e9"}"#, nonASCII: true), "non-ASCII, and a literal has non-ASCII bytes")
    #expect(mayHide(#"{"data": "cut \u12"}"#), "a cut escape")
  }
}

struct StructuredLineTests {
  /// JSON and SSE lines passed over by the block scan leave the decoder as decoding them
  /// would: the same findings, lines and timestamps as the plain engine, whole or in segments.
  @Test func passingOverJSONLinesChangesNothing() throws {
    let catalog = try CompiledCatalog(
      Catalog(signatures: [
        Signature(
          id: "build.step-failed", title: "A build step failed", stage: .build, signatureClass: .persistent,
          pattern: #"" did not complete successfully: exit code: (?<code>\d+)"#),
        Signature(
          id: "zerogpu.no-cuda-gpus", title: "No CUDA GPUs", stage: .running, signatureClass: .transient,
          pattern: "No CUDA GPUs are available"),
      ]))
    var lines: [String] = []
    for number in 0..<400 {
      switch number % 10 {
      case 0: lines.append(#"{"data": "step \#(number) ok\n", "timestamp": "2026-01-01T00:00:\#(number % 60)Z"}"#)
      case 1: lines.append(#"{"data": "--> ERROR: process \"/bin/sh -c pip install\" did not complete successfully: exit code: 1\n", "timestamp": "2026-01-02T00:00:00Z"}"#)
      case 2: lines.append("plain: No CUDA GPUs are available")
      case 3: lines.append(#"{"message": "no timestamp here"}"#)
      case 4: lines.append(#"{"data": "No CUDA GPUs\u0020are available"}"#)
      case 5 where number > 300: lines.append(#"data: {"data": "sse \#(number)\n", "timestamp": "2026-01-03T00:00:00Z"}"#)
      case 6 where number > 300: lines.append("event: ping")
      default: lines.append("filler \(number)")
      }
    }
    let text = lines.joined(separator: "\n") + "\n"
    let plain = Classifier(catalog: catalog, usesPrefilter: false).classify(text: text)
    let fastClassifier = Classifier(catalog: catalog)
    #expect(fastClassifier.usesFastPath)
    let fast = fastClassifier.classify(text: text)
    #expect(fast == plain)
    #expect(plain.findings.map(\.id).sorted() == ["build.step-failed", "zerogpu.no-cuda-gpus"])
    #expect(plain.findings.first { $0.id == "zerogpu.no-cuda-gpus" }?.timestamp != nil)
  }
}

struct NotQuiteJSONTests {
  static let catalog = try? CompiledCatalog(
    Catalog(signatures: [
      Signature(
        id: "zerogpu.no-cuda-gpus", title: "No CUDA GPUs", stage: .running, signatureClass: .transient,
        pattern: "No CUDA GPUs are available")
    ]))

  /// A line that looks like a JSON object but is not one (a bare word, a number JSON does not
  /// allow) is plain text: the whole line is matched, not only its `message`.
  @Test(arguments: [
    #"{"message": "worker crashed", "status": bareword, "detail": "RuntimeError: No CUDA GPUs are available"}"#,
    #"{"message": "worker crashed", "ok": truely, "detail": "RuntimeError: No CUDA GPUs are available"}"#,
    #"{"message": "worker crashed", "code": +1, "detail": "RuntimeError: No CUDA GPUs are available"}"#,
    #"{"message": "worker crashed", "code": 01, "detail": "RuntimeError: No CUDA GPUs are available"}"#,
    #"{"message": "worker crashed", "code": 1., "detail": "RuntimeError: No CUDA GPUs are available"}"#,
    #"data: {"message": "worker crashed", "x": nil, "detail": "RuntimeError: No CUDA GPUs are available"}"#,
  ])
  func invalidJSONIsReadAsText(_ line: String) throws {
    let catalog = try #require(Self.catalog)
    for classifier in [Classifier(catalog: catalog), Classifier(catalog: catalog, usesPrefilter: false)] {
      let report = classifier.classify(text: "starting\n" + line + "\n")
      #expect(report.findings.map(\.id) == ["zerogpu.no-cuda-gpus"], "\(line)")
      #expect(report.findings.first?.line == 2)
    }
  }

  /// Valid JSON still gives only its `data` / `message` text, numbers and literals included.
  @Test func validJSONValuesStillParse() throws {
    let catalog = try #require(Self.catalog)
    let line = #"{"message": "worker ok", "n": -0.5e+3, "m": 0, "t": true, "f": false, "z": null, "detail": "No CUDA GPUs are available"}"#
    #expect(Classifier(catalog: catalog).classify(text: line + "\n").findings.isEmpty)
    #expect(decode([line]) == ["worker ok"])
  }
}
