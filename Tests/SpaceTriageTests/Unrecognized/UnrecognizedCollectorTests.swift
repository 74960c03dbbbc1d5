import SpaceTriage
import Testing

/// Unrecognised lines through the whole classifier, on a tiny catalog.
struct UnrecognizedCollectorTests {
  static let yaml = """
    schema: 1
    signatures:
      - id: app.known-failure
        title: A failure the catalog knows
        stage: startup
        class: persistent
        pattern: 'KnownError: '
        advice: [{action: fix, text: Fix it.}]
        must-match: ['KnownError: x']
        must-not-match: ['x']
      - id: noise.harmless
        title: Harmless noise
        stage: running
        class: info
        effect: none
        pattern: 'Exception ignored in'
        must-match: ['Exception ignored in: x']
        must-not-match: ['x']
      - id: looks.exception
        title: An exception line
        stage: startup
        class: info
        effect: looks-like-failure
        pattern: 'Error: |Exception|ERROR - '
        must-match: ['ValueError: x']
        must-not-match: ['x']
      - id: startup.app-exception
        title: Generic app exception
        stage: startup
        class: persistent
        priority: 10
        pattern: 'AppError: '
        advice: [{action: fix, text: Fix it.}]
        must-match: ['AppError: x']
        must-not-match: ['x']
    """

  static func classifier(usesPrefilter: Bool = true) throws -> Classifier {
    let (signatures, problems) = CatalogLoader.parse(yaml: yaml, file: "test.yaml")
    #expect(problems.isEmpty)
    return Classifier(catalog: try CompiledCatalog(Catalog(signatures: signatures)), usesPrefilter: usesPrefilter)
  }

  @Test func onlyLinesNoFailureEntryKnows() throws {
    let log = """
      KnownError: the catalog names this
      Exception ignored in: <function X.__del__>
      ValueError: bad value 3
      AppError: generic entries still count as unrecognised
      an ordinary line
      """
    let report = try Self.classifier().classify(text: log)
    #expect(report.unrecognized.map(\.template) == ["ValueError: bad value <N>", "AppError: generic entries still count as unrecognised"])
    #expect(report.unrecognized.map(\.line) == [3, 4])
    // Failure shapes make no finding of their own.
    #expect(!report.findings.contains { $0.id == "looks.exception" })
    #expect(report.findings.contains { $0.id == "app.known-failure" })
  }

  @Test func mostFrequentFirstTiesFirstSeenAtMostTen() throws {
    var lines: [String] = []
    // Template k occurs k times (k = 1…15), written in order 1…15; then a tie with template 15.
    for k in 1...15 {
      for run in 0..<k { lines.append("Err\(String(repeating: "x", count: k))Error: run \(run)") }
    }
    for run in 0..<15 { lines.append("TieError: run \(run)") }
    let report = try Self.classifier().classify(text: lines.joined(separator: "\n"))
    #expect(report.unrecognized.count == 10)
    #expect(report.unrecognized.map(\.count) == [15, 15, 14, 13, 12, 11, 10, 9, 8, 7])
    // The tie: the one seen first comes first.
    #expect(report.unrecognized[0].template.hasPrefix("Err" + String(repeating: "x", count: 15)))
    #expect(report.unrecognized[1].template == "TieError: run <N>")
    #expect(report.unrecognized[0].fingerprint == Fingerprint.of(report.unrecognized[0].template))
  }

  @Test func memoryIsBoundedByTheTemplateTable() throws {
    // 5000 different templates: the report still lists 10, and nothing grows without bound.
    let lines = (0..<5000).map { "Kind\(letters($0))Error: x" }
    let report = try Self.classifier().classify(text: lines.joined(separator: "\n"))
    #expect(report.unrecognized.count == 10)
    #expect(report.unrecognized.allSatisfy { $0.count == 1 })
  }

  @Test func evidenceAndTemplateAreRedacted() throws {
    let token = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz"
    let report = try Self.classifier().classify(text: "UploadError: push with \(token) refused (Authorization: Bearer \(token))")
    let line = try #require(report.unrecognized.first)
    #expect(!line.text.contains(token) && !line.template.contains(token))
    #expect(line.text.contains("[REDACTED]"))
  }

  @Test func prefilterChangesNothing() throws {
    let log = (1...40).map { "2026-01-0\($0 % 9 + 1) 10:00:0\($0 % 10) - app - ERROR - shard \($0) lost\nValueError: v\($0 % 3)" }
      .joined(separator: "\n")
    let fast = try Self.classifier().classify(text: log)
    let plain = try Self.classifier(usesPrefilter: false).classify(text: log)
    #expect(fast.unrecognized == plain.unrecognized)
    #expect(fast.unrecognized.first?.count == 40)
  }

  @Test func tallyKeepsTheTopTwentyAcrossInputs() throws {
    var tally = ReportTally()
    let classifier = try Self.classifier()
    for input in 0..<30 {
      // Ten templates an input: one in every input, nine that move along (39 in all).
      let lines = ([0] + Array(input + 1...input + 9)).map { "Kind\(letters($0))Error: in input \(input)" }
      tally.add(classifier.classify(text: lines.joined(separator: "\n"), name: "input-\(input).log"))
    }
    let top = tally.unrecognized.top(UnrecognizedTally.summaryLimit)
    #expect(top.count == 20)
    #expect(top.first?.template == "Kind\(letters(0))Error: in input <N>")
    #expect(top.first?.inputs == 30)
    #expect(top.first?.exampleSource == "input-0.log")
    #expect(top.map(\.inputs) == top.map(\.inputs).sorted(by: >))
  }
}

/// `k` written in letters (a, b, …, z, ba, …): template names without digits.
private func letters(_ k: Int) -> String {
  let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
  var k = k
  var out = ""
  repeat {
    out = String(alphabet[k % 26]) + out
    k /= 26
  } while k > 0
  return out
}
