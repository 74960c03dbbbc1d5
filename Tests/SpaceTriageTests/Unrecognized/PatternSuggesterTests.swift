import Foundation
import SpaceTriage
import Testing

struct PatternSuggesterTests {
  @Test func patternFromTemplateMatchesTheLinesItCameFrom() throws {
    let lines = [
      "2026-05-04 09:12:35,402 - widgets - ERROR - checksum mismatch for shard 7 (expected 9f3ab21c77d0e4aa, got 0c11d2e9f0a7b3c4) in /data/w.idx",
      "ValueError: could not parse 'abc' from https://example.org/x?y=1",
      "Error: layout \"kanban\" failed after 3.5s",
    ]
    for line in lines {
      let template = TemplateMasker.template(of: line)
      let pattern = PatternSuggester.pattern(fromTemplate: template)
      let signature = Signature(id: "test.entry", title: "t", stage: .startup, signatureClass: .persistent, pattern: pattern)
      let validator = CatalogValidator(catalog: try CompiledCatalog(Catalog(signatures: [signature])))
      #expect(validator.evaluate(0, line) == .matched, "\(pattern)")
      // No leading timestamp in the pattern; a literal of 4+ bytes for the prefilter.
      #expect(!pattern.hasPrefix("\\d"))
      #expect((PatternSuggester.keyLiteral(of: pattern)?.utf8.count ?? 0) >= 4)
    }
  }

  @Test func escapesMetacharacters() {
    #expect(PatternSuggester.escape("a.b(c)[d]{e}|f?*+^$\\") == #"a\.b\(c\)\[d\]\{e\}\|f\?\*\+\^\$\\"#)
  }

  @Test func guessesTransientForNetworkWordsOnly() {
    #expect(PatternSuggester.guessClass(["ConnectError: upstream timed out"]) == .transient)
    #expect(PatternSuggester.guessClass(["HTTP 503 from the API"]) == .transient)
    #expect(PatternSuggester.guessClass(["ConnectionError: refused by localhost:8000"]) == .persistent)
    #expect(PatternSuggester.guessClass(["KeyError: 'model'"]) == .persistent)
  }

  @Test func yamlIsAValidCatalogOnceNamed() throws {
    let stub = PatternSuggester.Stub(
      fingerprint: "abc", template: "WidgetError: it's <N>", title: "Widget", stage: .running,
      signatureClass: .persistent, pattern: #"WidgetError: it's \d+"#, mustMatch: ["WidgetError: it's 3"],
      mustNotMatch: ["WidgetErr_r: it's 3"], inputs: 1, lines: 1)
    let yaml = PatternSuggester.yaml([stub])
    let (_, placeholderProblems) = CatalogLoader.parse(yaml: yaml, file: "s.yaml")
    #expect(!placeholderProblems.isEmpty)
    let named = yaml.replacingOccurrences(of: PatternSuggester.placeholderID, with: "app.widget-error")
    let (signatures, problems) = CatalogLoader.parse(yaml: named, file: "s.yaml")
    #expect(problems.isEmpty, "\(problems)")
    #expect(signatures.first?.mustMatch.first?.text == "WidgetError: it's 3")
  }
}
