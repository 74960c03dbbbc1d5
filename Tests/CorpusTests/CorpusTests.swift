import Foundation
import PatternCatalog
import SpaceTriage
import Testing

/// One Corpus log and its golden expectations.
struct CorpusCase: CustomTestStringConvertible, Sendable {
  var log: String
  var expected: String
  var testDescription: String { String(log.dropFirst(CorpusCase.root.path.count + 1)) }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Corpus")

  /// Every `*.log` under Corpus/ that has a `.expected.json` beside it.
  static var all: [CorpusCase] {
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    var cases: [CorpusCase] = []
    while let relative = walker.nextObject() as? String {
      guard relative.hasSuffix(".log") else { continue }
      let log = root.appendingPathComponent(relative).path
      cases.append(CorpusCase(log: log, expected: String(log.dropLast(4)) + ".expected.json"))
    }
    return cases.sorted { $0.log < $1.log }
  }
}

/// The fields a golden file pins down, in a stable, diffable order.
func goldenFields(_ report: Report) -> [(String, JSONValue)] {
  [
    ("verdict", .string(report.verdict.rawValue)),
    ("finalStage", .optional(report.finalStage?.rawValue)),
    ("primary", .optional(report.primary)),
    ("escalated", .bool(report.escalated)),
    ("attempts", .int(report.attempts)),
    ("findings", .array(report.findings.map(\.id).sorted().map(JSONValue.string))),
  ]
}

struct CorpusTests {
  static let classifierCatalog: CompiledCatalog? = {
    guard let catalog = try? Catalog.load(directories: [PatternCatalog.directory]) else { return nil }
    return try? CompiledCatalog(catalog)
  }()

  @Test func corpusIsLargeEnough() {
    #expect(CorpusCase.all.count >= 40)
  }

  /// Set RECORD_GOLDENS=1 to rewrite every `.expected.json` from what the code says now.
  @Test(arguments: CorpusCase.all)
  func logGivesItsGoldenReport(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    let report = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog)).get()
    let actual = goldenFields(report)
    if ProcessInfo.processInfo.environment["RECORD_GOLDENS"] == "1" {
      let lines = actual.map { key, value in "  \"\(key)\": \(value.serialized())" }
      try ("{\n" + lines.joined(separator: ",\n") + "\n}\n").write(toFile: corpusCase.expected, atomically: true, encoding: .utf8)
      return
    }
    let data = try Data(contentsOf: URL(fileURLWithPath: corpusCase.expected))
    let golden = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(corpusCase.expected) is not a JSON object")
    var differences: [String] = []
    for (key, value) in actual {
      guard let expected = golden[key] else { continue }  // a golden may pin fewer fields
      let expectedText = String(decoding: try JSONSerialization.data(withJSONObject: expected, options: [.fragmentsAllowed, .sortedKeys]), as: UTF8.self)
      let actualText = value.serialized()
      if canonical(expectedText) != canonical(actualText) {
        differences.append("  \(key): expected \(expectedText), got \(actualText)")
      }
    }
    #expect(differences.isEmpty, "\(corpusCase.testDescription)\n\(differences.joined(separator: "\n"))\n(RECORD_GOLDENS=1 swift test re-records)")
  }

  private func canonical(_ json: String) -> String {
    json.replacingOccurrences(of: "\\/", with: "/").replacingOccurrences(of: " ", with: "")
  }

  /// The literal prefilter may only change speed: every Corpus log gives the same report with
  /// every pattern run on every line.
  @Test(arguments: CorpusCase.all)
  func prefilterChangesNothingButSpeed(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    let fast = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog)).get()
    let plain = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog, usesPrefilter: false)).get()
    #expect(fast == plain, "\(corpusCase.testDescription)")
  }

  /// The block scan gives the same reports whatever the read size: lines split across reads,
  /// blocks of one line, and buffers moved between blocks.
  @Test(arguments: CorpusCase.all)
  func readSizeChangesNothing(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    let plain = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog, usesPrefilter: false)).get()
    for readSize in [1, 7, 100, 4096] {
      let report = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog, readSize: readSize)).get()
      #expect(report == plain, "\(corpusCase.testDescription), read size \(readSize)")
    }
  }
}
