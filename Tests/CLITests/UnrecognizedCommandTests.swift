import Foundation
import Testing

/// `unrecognized` in every output format, stable fingerprints, redaction, and the
/// `patterns suggest` round trip, on our own Corpus log.
@Suite(.serialized)
struct UnrecognizedCommandTests {
  static let log = "Corpus/unrecognized/error-lines-healthy.log"
  /// Its most common unrecognised template (four lines, two of them days apart in the real world).
  static let checksumTemplate = "<TS> - widgets - ERROR - widget cache checksum mismatch for shard <N> (expected <ID>, got <ID>)"
  /// The secret on one of its unrecognised lines.
  static let secret = "wh_sEcReT42sEcReT42"

  static func json(_ arguments: [String]) throws -> [String: Any] {
    let result = try CLIRunner.run(arguments)
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
  }

  @Test func jsonReportAndSummaryListThem() throws {
    let document = try Self.json(["classify", "--format", "json", Self.log])
    let reports = try #require(document["reports"] as? [[String: Any]])
    let lines = try #require(reports.first?["unrecognized"] as? [[String: Any]])
    #expect(reports.first?["verdict"] as? String == "healthy")
    let first = try #require(lines.first)
    #expect(first["template"] as? String == Self.checksumTemplate)
    #expect(first["count"] as? Int == 4)
    #expect(first["line"] as? Int == 5)
    #expect((first["fingerprint"] as? String)?.count == 12)
    #expect((first["text"] as? String)?.contains("shard 7") == true)
    let summary = try #require(document["summary"] as? [String: Any])
    let top = try #require(summary["unrecognized"] as? [[String: Any]])
    #expect(top.first?["fingerprint"] as? String == first["fingerprint"] as? String)
    #expect(top.first?["inputs"] as? Int == 1)
    #expect(top.first?["lines"] as? Int == 4)
    let example = try #require(top.first?["example"] as? [String: Any])
    #expect(example["source"] as? String == Self.log)
    #expect(example["line"] as? Int == 5)
  }

  @Test func fingerprintsAreTheSameOnEveryRun() throws {
    func fingerprints() throws -> [String] {
      let document = try Self.json(["classify", "--format", "json", Self.log])
      let reports = try #require(document["reports"] as? [[String: Any]])
      return (reports.first?["unrecognized"] as? [[String: Any]] ?? []).compactMap { $0["fingerprint"] as? String }
    }
    let first = try fingerprints()
    #expect(first.count == 2)
    #expect(try fingerprints() == first)
  }

  @Test func ndjsonAndTextShowThem() throws {
    let ndjson = try CLIRunner.run(["classify", "--format", "ndjson", Self.log])
    let report = try #require(try JSONSerialization.jsonObject(with: Data(ndjson.stdout.utf8)) as? [String: Any])
    #expect((report["unrecognized"] as? [[String: Any]])?.first?["template"] as? String == Self.checksumTemplate)
    let text = try CLIRunner.run(["classify", Self.log])
    #expect(text.stdout.contains("unrecognised failure lines"))
    #expect(text.stdout.contains("(×4)"))
    // Several inputs: the batch's top templates under the summary line.
    let batch = try CLIRunner.run(["classify", Self.log, "Corpus/healthy/gradio4-start.log"])
    let summary = try #require(batch.stdout.components(separatedBy: "2 inputs:").last)
    #expect(summary.contains("unrecognised failure lines, most common first:"))
    #expect(summary.contains(Self.checksumTemplate))
  }

  @Test func secretsInUnrecognisedLinesAreRedacted() throws {
    for format in ["text", "json", "ndjson"] {
      let result = try CLIRunner.run(["classify", "--format", format, Self.log])
      #expect(!result.stdout.contains(Self.secret), "\(format)")
      #expect(result.stdout.contains("token=[REDACTED]"), "\(format)")
    }
    let suggest = try CLIRunner.run(["patterns", "suggest", "--top", "5", Self.log])
    #expect(!suggest.stdout.contains(Self.secret))
  }

  @Test func suggestRoundTrip() throws {
    let suggest = try CLIRunner.run(["patterns", "suggest", "--top", "1", Self.log])
    #expect(suggest.status == 0, "\(suggest.stderr)")
    #expect(suggest.stdout.contains("schema: 1"))
    #expect(suggest.stdout.contains("id: TODO.fill-me"))
    // As printed, the placeholder id is rejected.
    try CLIRunner.withUserCatalog(suggest.stdout) { directory in
      let test = try CLIRunner.run(["patterns", "test", "--patterns", directory])
      #expect(test.status == 65)
    }
    // Named, the entry passes the catalog test and names the lines.
    let named = suggest.stdout.replacingOccurrences(of: "TODO.fill-me", with: "widgets.cache-checksum-mismatch")
    try CLIRunner.withUserCatalog(named) { directory in
      let test = try CLIRunner.run(["patterns", "test", "--patterns", directory])
      #expect(test.status == 0, "\(test.stdout)\n\(test.stderr)\n\(named)")
      let document = try Self.json(["classify", "--format", "json", "--patterns", directory, Self.log])
      let report = try #require((document["reports"] as? [[String: Any]])?.first)
      let findings = try #require(report["findings"] as? [[String: Any]])
      let finding = try #require(findings.first { $0["id"] as? String == "widgets.cache-checksum-mismatch" })
      #expect(finding["count"] as? Int == 4)
      // Recognised now: no longer in the unrecognised block.
      let templates = (report["unrecognized"] as? [[String: Any]] ?? []).compactMap { $0["template"] as? String }
      #expect(!templates.contains(Self.checksumTemplate))
    }
  }

  @Test func suggestWithoutUnrecognisedLines() throws {
    let result = try CLIRunner.run(["patterns", "suggest", "Corpus/healthy/gradio4-start.log"])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("# space-triage patterns suggest: no unrecognised failure lines"))
    #expect(try CLIRunner.run(["patterns", "suggest", "no/such/file.log"]).status == 66)
  }
}
