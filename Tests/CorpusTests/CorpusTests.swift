import Foundation
import PatternCatalog
import SpaceTriage
import Testing

/// One Corpus log and its golden expectations.
struct CorpusCase: CustomTestStringConvertible, Sendable {
  var log: String
  /// `<case>.expected.json`: the fields a person judged.
  var expected: String
  /// `<case>.snapshot.json`: the fields recorded from the code.
  var snapshot: String { String(expected.dropLast(".expected.json".count)) + ".snapshot.json" }
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

/// The fields a person judged: written by hand in `<case>.expected.json` as the specification,
/// never rewritten by recording (Corpus/README.md).
func judgedFields(_ report: Report) -> [(String, JSONValue)] {
  [
    ("verdict", .string(report.verdict.rawValue)),
    ("finalStage", .optional(report.finalStage?.rawValue)),
    ("primary", .optional(report.primary)),
    ("escalated", .bool(report.escalated)),
  ]
}

/// The fields recorded from what the code says now, in `<case>.snapshot.json`
/// (`RECORD_GOLDENS=1 swift test --filter CorpusTests` rewrites them).
func snapshotFields(_ report: Report) -> [(String, JSONValue)] {
  [
    ("attempts", .int(report.attempts)),
    ("findings", .array(report.findings.map(\.id).sorted().map(JSONValue.string))),
  ]
}

/// The differences between `actual` and the fields `golden` pins (a golden may pin fewer).
func goldenDifferences(_ actual: [(String, JSONValue)], _ golden: [String: Any]) throws -> [String] {
  var differences: [String] = []
  for (key, value) in actual {
    guard let expected = golden[key] else { continue }
    let expectedText = String(decoding: try JSONSerialization.data(withJSONObject: expected, options: [.fragmentsAllowed, .sortedKeys]), as: UTF8.self)
    let actualText = value.serialized()
    if canonicalJSON(expectedText) != canonicalJSON(actualText) {
      differences.append("  \(key): expected \(expectedText), got \(actualText)")
    }
  }
  return differences
}

private func canonicalJSON(_ json: String) -> String {
  json.replacingOccurrences(of: "\\/", with: "/").replacingOccurrences(of: " ", with: "")
}

/// A golden file as a JSON object, or `nil` when there is none.
func goldenObject(at path: String) throws -> [String: Any]? {
  guard FileManager.default.fileExists(atPath: path) else { return nil }
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
    throw GoldenError.notAnObject(path)
  }
  return object
}

enum GoldenError: Error, CustomStringConvertible {
  case notAnObject(String)
  var description: String {
    switch self {
    case .notAnObject(let path): "\(path) is not a JSON object"
    }
  }
}

/// What is wrong with `report` against a case's judged golden and recorded snapshot (empty:
/// nothing). The judged golden must give a `verdict`. Older goldens kept the snapshot fields in
/// `.expected.json` too: they are still compared there when no `.snapshot.json` exists.
func corpusProblems(_ report: Report, expected: [String: Any]?, snapshot: [String: Any]?) throws -> [String] {
  guard let expected else { return ["no .expected.json: write the judged verdict by hand (Corpus/README.md)"] }
  var problems: [String] = []
  if expected["verdict"] == nil { problems.append("  the .expected.json gives no `verdict`: every case needs one, judged by a person") }
  let judgedKeys = Set(judgedFields(report).map(\.0))
  problems += try goldenDifferences(judgedFields(report), expected.filter { judgedKeys.contains($0.key) })
  problems += try goldenDifferences(snapshotFields(report), snapshot ?? expected)
  return problems
}

struct CorpusTests {
  static let classifierCatalog: CompiledCatalog? = {
    guard let catalog = try? Catalog.load(directories: [PatternCatalog.directory]) else { return nil }
    return try? CompiledCatalog(catalog)
  }()

  @Test func corpusIsLargeEnough() {
    #expect(CorpusCase.all.count >= 40)
  }

  /// The judged fields are always compared. `RECORD_GOLDENS=1` rewrites only the
  /// `.snapshot.json` beside each log, never the `.expected.json`.
  @Test(arguments: CorpusCase.all)
  func logGivesItsGoldenReport(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    let report = try BatchClassifier.classify(.file(corpusCase.log), with: Classifier(catalog: catalog)).get()
    let expected = try goldenObject(at: corpusCase.expected)
    var snapshot = try goldenObject(at: corpusCase.snapshot)
    if ProcessInfo.processInfo.environment["RECORD_GOLDENS"] == "1" {
      let lines = snapshotFields(report).map { key, value in "  \"\(key)\": \(value.serialized())" }
      try ("{\n" + lines.joined(separator: ",\n") + "\n}\n").write(toFile: corpusCase.snapshot, atomically: true, encoding: .utf8)
      snapshot = try goldenObject(at: corpusCase.snapshot)
    }
    let problems = try corpusProblems(report, expected: expected, snapshot: snapshot)
    #expect(
      problems.isEmpty,
      "\(corpusCase.testDescription)\n\(problems.joined(separator: "\n"))\n(RECORD_GOLDENS=1 swift test --filter CorpusTests re-records the snapshot, never the judged fields)")
  }

  /// The check can fail: a golden without a verdict, a wrong judged field, a wrong snapshot.
  @Test func goldenCheckRejectsWhatItShould() throws {
    let report = Report(
      source: "-", lines: 1, bytes: 1, verdict: .transient, finalStage: .running, primary: "zerogpu.no-cuda-gpus",
      escalated: false, attempts: 1, stages: [], findings: [], advice: [])
    let judged: [String: Any] = ["verdict": "transient", "finalStage": "running", "primary": "zerogpu.no-cuda-gpus", "escalated": false]
    #expect(try corpusProblems(report, expected: judged, snapshot: ["attempts": 1, "findings": [String]()]).isEmpty)
    #expect(try corpusProblems(report, expected: judged, snapshot: nil).isEmpty)
    var withoutVerdict = judged
    withoutVerdict["verdict"] = nil
    #expect(try corpusProblems(report, expected: withoutVerdict, snapshot: nil).contains { $0.contains("no `verdict`") })
    #expect(try !corpusProblems(report, expected: nil, snapshot: nil).isEmpty)
    var wrongPrimary = judged
    wrongPrimary["primary"] = "zerogpu.worker-error"
    #expect(try corpusProblems(report, expected: wrongPrimary, snapshot: nil).count == 1)
    #expect(try corpusProblems(report, expected: judged, snapshot: ["attempts": 2]).count == 1)
    // An older golden that still holds the snapshot fields is checked on them as well.
    #expect(try corpusProblems(report, expected: judged.merging(["attempts": 3]) { $1 }, snapshot: nil).count == 1)
  }

  /// The literal prefilter may only change speed: every Corpus log gives the same report with
  /// every pattern run on every line.
  @Test(arguments: CorpusCase.all)
  func prefilterChangesNothingButSpeed(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    #expect(try fastPathProblem(corpusCase.log, catalog: catalog) == nil)
  }

  /// The block scan gives the same reports whatever the read size: lines split across reads,
  /// blocks of one line, and buffers moved between blocks.
  @Test(arguments: CorpusCase.all)
  func readSizeChangesNothing(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.classifierCatalog)
    for readSize in [1, 7, 100, 4096] {
      #expect(try fastPathProblem(corpusCase.log, catalog: catalog, readSize: readSize) == nil)
    }
  }

  /// An entry without a literal runs on every line and turns the block scan off: the comparison
  /// above would then compare the plain engine with itself, so it says so instead of passing.
  @Test func fastPathCheckFailsWhenTheFastPathDoesNotRun() throws {
    let bundled = try #require(Self.classifierCatalog)
    let everyLine = Signature(
      id: "user.digits", title: "Digits", stage: .running, signatureClass: .info, pattern: #"^\d+$"#, effect: .none)
    let catalog = try CompiledCatalog(Catalog(signatures: bundled.signatures + [everyLine]))
    let log = try #require(CorpusCase.all.first).log
    let problem = try fastPathProblem(log, catalog: catalog)
    #expect(problem?.contains("fast path did not run") == true, "\(problem ?? "no problem reported")")
  }
}

/// Why the fast path's report on `log` is not trusted (`nil`: it ran, and gave the plain
/// engine's report).
func fastPathProblem(_ log: String, catalog: CompiledCatalog, readSize: Int = LineReader<MemorySource>.defaultReadSize) throws -> String? {
  let fast = Classifier(catalog: catalog, readSize: readSize)
  guard fast.usesFastPath else { return "\(log): the fast path did not run (an entry without literals?): nothing to compare" }
  let fastReport = try BatchClassifier.classify(.file(log), with: fast).get()
  let plainReport = try BatchClassifier.classify(.file(log), with: Classifier(catalog: catalog, usesPrefilter: false)).get()
  return fastReport == plainReport ? nil : "\(log), read size \(readSize): the fast path and the plain engine disagree"
}
