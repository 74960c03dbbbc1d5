import Foundation
import PatternCatalog
import SpaceTriage
import Testing

/// One example line of one catalog entry, as its own test case.
struct CatalogExampleCase: CustomTestStringConvertible, Sendable {
  var signatureID: String
  var text: String
  var shouldMatch: Bool
  var number: Int
  var location: SpaceTriage.SourceLocation

  var testDescription: String {
    "\(signatureID) \(shouldMatch ? "must-match" : "must-not-match") #\(number) (\(location))"
  }
}

/// The bundled catalog, loaded and compiled once for every test here.
enum BundledCatalog {
  static let compiled: CompiledCatalog? = {
    guard let catalog = try? Catalog.load(directories: [PatternCatalog.directory]) else { return nil }
    return try? CompiledCatalog(catalog)
  }()

  static var examples: [CatalogExampleCase] {
    guard let compiled else { return [] }
    return compiled.signatures.flatMap { signature in
      signature.mustMatch.enumerated().map { number, example in
        CatalogExampleCase(signatureID: signature.id, text: example.text, shouldMatch: true, number: number + 1, location: example.location)
      }
        + signature.mustNotMatch.enumerated().map { number, example in
          CatalogExampleCase(signatureID: signature.id, text: example.text, shouldMatch: false, number: number + 1, location: example.location)
        }
    }
  }
}

struct CatalogExampleTests {
  @Test func bundledCatalogLoadsAndCompiles() throws {
    do {
      let catalog = try Catalog.load(directories: [PatternCatalog.directory])
      _ = try CompiledCatalog(catalog)
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test(arguments: BundledCatalog.examples)
  func exampleBehavesAsDeclared(_ example: CatalogExampleCase) throws {
    let compiled = try #require(BundledCatalog.compiled)
    let index = try #require(compiled.index(of: example.signatureID))
    let validator = CatalogValidator(catalog: compiled)
    let outcome = validator.evaluate(index, example.text)
    #expect(outcome == (example.shouldMatch ? .matched : .notMatched), "\(example.location): \(example.text)")
    // The engine too (prefilter and block scan), not only the pattern.
    #expect(validator.engineFinds(index, example.text) == example.shouldMatch, "\(example.location): classify: \(example.text)")
  }

  @Test func validatorFindsNothing() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let problems = CatalogValidator(catalog: compiled).diagnostics()
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
  }
}

struct CatalogRunawayTests {
  @Test func noPatternHitsTheMatchLimitOnTheCorpus() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Corpus").path
    let logs = InputFiles.expand([corpus]).compactMap { input -> String? in
      if case .file(let path) = input { return path }
      return nil
    }
    let problems = CatalogValidator(catalog: compiled).runawayProblems(onLogs: logs)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
  }
}

struct PrefilterSoundnessTests {
  /// Every example line of the catalog, bare and behind noise, matches the same entries with
  /// and without the literal prefilter: the extracted literals never hide a real match.
  @Test func prefilterNeverHidesAMatchOnAnyExample() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let fast = LineMatcher(catalog: compiled)
    let plain = LineMatcher(catalog: compiled, usesPrefilter: false)
    let lines = compiled.signatures.flatMap { $0.mustMatch + $0.mustNotMatch }.map(\.text)
    for line in lines {
      for prefix in [""] + CatalogValidator.noisePrefixes + ["x", "  ", "abc"] {
        var bytes = Array((prefix + line).utf8)
        var fastHits: [Int] = []
        var plainHits: [Int] = []
        bytes.withUnsafeMutableBytes { buffer in
          let text = UnsafeRawBufferPointer(buffer)
          fast.forEachMatch(in: text, line: 1) { fastHits.append($0) }
          plain.forEachMatch(in: text, line: 1) { plainHits.append($0) }
        }
        #expect(fastHits == plainHits, "\(prefix.debugDescription) + \(line)")
      }
    }
  }
}

struct CatalogExportTests {
  /// Failure patterns are exported for `rg -f`; its default engine rejects look-around and
  /// back-references, so the linter does too (info entries are not exported).
  @Test func lookAroundInAFailurePatternIsAProblem() throws {
    let entries = [
      Signature(id: "a.lookahead", title: "t", stage: .startup, signatureClass: .persistent, pattern: "by setting the (?!GRADIO_)\\w+"),
      Signature(id: "b.backreference", title: "t", stage: .startup, signatureClass: .transient, pattern: "(\\w+) again \\1"),
      Signature(id: "c.info", title: "t", stage: .startup, signatureClass: .info, pattern: "Running(?! tests)"),
      Signature(id: "d.plain", title: "t", stage: .startup, signatureClass: .persistent, pattern: "(?<name>Widget) failed"),
    ]
    let problems = CatalogValidator(catalog: try CompiledCatalog(Catalog(signatures: entries))).exportProblems()
    #expect(problems.map(\.entry) == ["a.lookahead", "b.backreference"])
    #expect(problems.first?.message.contains("`(?!`") == true)
  }

  @Test func theBundledExportHasNoConstructRgRejects() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let problems = CatalogValidator(catalog: compiled).exportProblems()
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
  }
}
