import Foundation
import SpaceTriage
import Testing

struct CatalogLoaderTests {
  static let valid = """
    schema: 1
    signatures:
      - id: build.example
        title: An example
        stage: build
        class: persistent
        pattern: 'No matching distribution found for (?<package>\\S+)'
        advice:
          - action: pin-dependencies
            text: 'Pin `{package}`.'
        must-match:
          - 'ERROR: No matching distribution found for torch'
        must-not-match:
          - 'a matching distribution'
    """

  @Test func validFileLoads() throws {
    let (signatures, problems) = CatalogLoader.parse(yaml: Self.valid, file: "ok.yaml")
    #expect(problems.isEmpty)
    let signature = try #require(signatures.first)
    #expect(signature.id == "build.example")
    #expect(signature.priority == Signature.defaultPriority)
    #expect(signature.mustMatch.first?.location == SpaceTriage.SourceLocation(file: "ok.yaml", line: 12, column: 9))
    #expect(signature.patternLocation == SpaceTriage.SourceLocation(file: "ok.yaml", line: 7, column: 15))
  }

  @Test func unknownKeyIsNamedWithItsLocation() {
    let yaml = Self.valid.replacingOccurrences(of: "    title: An example", with: "    title: An example\n    colour: red")
    let (_, problems) = CatalogLoader.parse(yaml: yaml, file: "bad.yaml")
    #expect(problems.map(\.description).contains { $0.hasPrefix("bad.yaml:5:5: error: build.example: unknown key `colour`") })
  }

  @Test func unknownClassAndStageAreErrors() {
    let yaml = Self.valid.replacingOccurrences(of: "class: persistent", with: "class: sometimes")
      .replacingOccurrences(of: "stage: build", with: "stage: compile")
    let messages = CatalogLoader.parse(yaml: yaml, file: "bad.yaml").1.map(\.message)
    #expect(messages.contains { $0.contains("unknown class `sometimes`") })
    #expect(messages.contains { $0.contains("unknown stage `compile`") })
  }

  @Test func missingKeysAndExamplesAreErrors() {
    let yaml = """
      schema: 1
      signatures:
        - id: build.bare
          stage: build
          class: transient
          pattern: 'x'
      """
    let messages = CatalogLoader.parse(yaml: yaml, file: "bad.yaml").1.map(\.message)
    #expect(messages.contains("missing `title`"))
    #expect(messages.contains("a transient entry needs `advice`"))
    #expect(messages.contains("missing `must-match` examples"))
  }

  @Test func wrongSchemaAndBrokenYAML() {
    #expect(CatalogLoader.parse(yaml: "schema: 2\nsignatures: []\n", file: "v.yaml").1.first?.message.contains("unknown schema version") == true)
    let broken = CatalogLoader.parse(yaml: "schema: 1\nsignatures:\n  - id: 'unterminated\n", file: "y.yaml").1
    #expect(broken.first?.message.hasPrefix("invalid YAML") == true)
    #expect(broken.first?.location.file == "y.yaml")
  }

  @Test func badIDIsRejected() {
    let yaml = Self.valid.replacingOccurrences(of: "id: build.example", with: "id: Build_Example")
    #expect(CatalogLoader.parse(yaml: yaml, file: "b.yaml").1.contains { $0.message.contains("area.kebab-name") })
  }

  @Test func invalidRegexNamesEntryOffsetAndCaret() throws {
    let yaml = Self.valid.replacingOccurrences(of: "for (?<package>\\S+)'", with: "for (?<package>\\S+'")
    let (signatures, problems) = CatalogLoader.parse(yaml: yaml, file: "re.yaml")
    #expect(problems.isEmpty)
    #expect {
      _ = try CompiledCatalog(Catalog(signatures: signatures))
    } throws: { error in
      let text = "\(error)"
      return text.hasPrefix("re.yaml:7:") && text.contains("build.example")
        && text.contains("missing closing parenthesis") && text.contains("at offset") && text.contains("^")
    }
  }

  @Test func overlayReplacesEntriesWithTheSameID() {
    let (base, _) = CatalogLoader.parse(yaml: Self.valid, file: "a.yaml")
    let (other, _) = CatalogLoader.parse(yaml: Self.valid.replacingOccurrences(of: "An example", with: "Replaced"), file: "b.yaml")
    var catalog = Catalog(signatures: base)
    catalog.overlay(Catalog(signatures: other))
    #expect(catalog.signatures.count == 1)
    #expect(catalog.signatures.first?.title == "Replaced")
  }
}
