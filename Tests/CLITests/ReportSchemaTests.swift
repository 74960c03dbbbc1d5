import Foundation
import Testing

/// `docs/report.schema.json` describes what `classify --format json` really prints.
@Suite(.serialized)
struct ReportSchemaTests {
  static let schemaPath = CLIRunner.packageRoot.appendingPathComponent("docs/report.schema.json").path

  private func validator() throws -> JSONSchemaValidator {
    JSONSchemaValidator(root: try JSON.parse(String(contentsOfFile: Self.schemaPath, encoding: .utf8)))
  }

  /// One document for every Corpus log (every verdict, stage, class, SSE timestamps, captures,
  /// traceback context), plus a catalog problem and a cut line.
  private func corpusDocument() throws -> String {
    let result = try CLIRunner.run(["classify", "--format", "json", "Corpus"])
    #expect([0, 3, 4, 75].contains(result.status), "\(result.stderr)")
    return result.stdout
  }

  @Test func everyCorpusReportConformsToTheSchema() throws {
    let validator = try validator()
    let document = try JSON.parse(try corpusDocument())
    guard case .array(let reports)? = document["reports"] else {
      Issue.record("no reports")
      return
    }
    #expect(reports.count >= 40)
    let errors = validator.errors(in: document)
    #expect(errors.isEmpty, "\(errors.prefix(20).joined(separator: "\n"))")
  }

  @Test func ndjsonReportsConformToTheReportDefinition() throws {
    let validator = try validator()
    let result = try CLIRunner.run(["classify", "--format", "ndjson", "Corpus/zerogpu", "Corpus/formats"])
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count >= 10)
    for line in lines {
      let errors = validator.errors(in: try JSON.parse(String(line)), definition: "report")
      #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
    }
  }

  /// Reports with the rarer fields filled: a pattern that gave up, a line cut at 1 MiB.
  @Test func rareFieldsConform() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: user.runaway
          title: Runaway
          stage: running
          class: persistent
          pattern: '(a+)+$'
          advice: [{action: fix, text: Fix it.}]
          must-match: ['aaaa']
          must-not-match: ['bbbb']
      """
    let validator = try validator()
    try CLIRunner.withUserCatalog(yaml) { directory in
      let input = String(repeating: "a", count: 5_000) + "b\n" + String(repeating: "x", count: (1 << 20) + 10) + "\n"
      let result = try CLIRunner.run(["classify", "--patterns", directory, "--format", "json"], input: input)
      #expect(result.stdout.contains("pattern gave up") && result.stdout.contains(#""truncatedLines":1"#), "\(result.stdout.prefix(500))")
      let errors = validator.errors(in: try JSON.parse(result.stdout))
      #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
    }
  }

  /// The check can fail: broken documents are rejected, each for its own reason.
  @Test func brokenDocumentsAreRejected() throws {
    let validator = try validator()
    let text = try CLIRunner.run(["classify", "--format", "json", "Corpus/zerogpu/no-cuda-gpus.log"]).stdout
    #expect(validator.errors(in: try JSON.parse(text)).isEmpty)
    let cases: [(String, String, String)] = [
      (#""verdict":"transient""#, #""verdict":"maybe""#, "is not one of"),
      (#""lines":14"#, #""lines":"14""#, "expected integer"),
      (#""escalated":false"#, #""escalated":0"#, "expected boolean"),
      (#""primary":"zerogpu.no-cuda-gpus""#, #""primary":7"#, "expected string or null"),
      (#""source":"#, #""unexpected":1,"source":"#, "field `unexpected` is not in the schema"),
      (#""count":1,"#, "", "missing required field `count`"),
      (#""stage":"running","class""#, #""stage":"orbit","class""#, "is not one of"),
      (#""catalog":{"version":1,"#, #""catalog":{"version":1,"extra":true,"#, "field `extra` is not in the schema"),
    ]
    for (original, replacement, expected) in cases {
      #expect(text.contains(original), "the real output no longer holds \(original)")
      let broken = text.replacingOccurrences(of: original, with: replacement)
      let errors = validator.errors(in: try JSON.parse(broken))
      #expect(errors.contains { $0.contains(expected) }, "\(replacement): \(errors)")
    }
  }

  @Test func validatorRefusesKeywordsItDoesNotKnow() throws {
    let schema = try JSON.parse(#"{"type": "string", "pattern": "^a"}"#)
    #expect(JSONSchemaValidator(root: schema).errors(in: .string("b")).contains { $0.contains("unsupported schema keyword `pattern`") })
    let reference = try JSON.parse(##"{"$ref": "#/$defs/missing"}"##)
    #expect(JSONSchemaValidator(root: reference).errors(in: .null).contains { $0.contains("unresolved $ref") })
  }
}
