import Foundation
import PatternCatalog
import SpaceTriage
import Testing

/// The bundled catalog's snapshot (`Patterns/BundledCatalog+Snapshot.swift`), which the binary
/// reads instead of the YAML: it must be the YAML's entries, exactly.
struct CatalogSnapshotTests {
  static let snapshotPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Patterns/BundledCatalog+Snapshot.swift").path

  /// Fails when the YAML changed and the snapshot was not regenerated; with
  /// `SPACE_TRIAGE_UPDATE_SNAPSHOT=1` it rewrites the snapshot first (then rebuild).
  @Test func snapshotIsUpToDate() throws {
    let yaml = try Catalog.load(directories: [PatternCatalog.directory])
    let expected = PatternCatalog.snapshotSource(of: yaml)
    if ProcessInfo.processInfo.environment["SPACE_TRIAGE_UPDATE_SNAPSHOT"] == "1" {
      try expected.write(toFile: Self.snapshotPath, atomically: true, encoding: .utf8)
    }
    let checkedIn = try String(contentsOfFile: Self.snapshotPath, encoding: .utf8)
    #expect(
      checkedIn == expected,
      "Patterns/BundledCatalog+Snapshot.swift is stale: run SPACE_TRIAGE_UPDATE_SNAPSHOT=1 swift test --filter CatalogSnapshotTests")
  }

  /// What the binary loads is what the YAML says, field by field (locations included).
  @Test func snapshotDecodesToTheYAMLEntries() throws {
    let yaml = try Catalog.load(directories: [PatternCatalog.directory])
    let bundled = PatternCatalog.bundled
    #expect(bundled.files == yaml.files)
    #expect(bundled.signatures.count == yaml.signatures.count)
    for (snapshot, loaded) in zip(bundled.signatures, yaml.signatures) {
      #expect(snapshot.id == loaded.id)
      #expect(snapshot.title == loaded.title)
      #expect(snapshot.stage == loaded.stage)
      #expect(snapshot.signatureClass == loaded.signatureClass)
      #expect(snapshot.priority == loaded.priority)
      #expect(snapshot.pattern == loaded.pattern)
      #expect(snapshot.caseless == loaded.caseless)
      #expect(snapshot.anchored == loaded.anchored)
      #expect(snapshot.effect == loaded.effect)
      #expect(snapshot.literals == loaded.literals)
      #expect(snapshot.advice == loaded.advice)
      #expect(snapshot.mustMatch == loaded.mustMatch)
      #expect(snapshot.mustNotMatch == loaded.mustNotMatch)
      #expect(snapshot.location == loaded.location)
      #expect(snapshot.patternLocation == loaded.patternLocation)
      #expect(snapshot.patternIsKnownGood)
      #expect(!loaded.patternIsKnownGood)
    }
  }

  /// The bundled patterns are compiled on first use only because this test compiles (and
  /// JIT-compiles) every one of them.
  @Test func everyBundledPatternCompiles() throws {
    let compiled = try CompiledCatalog(PatternCatalog.bundled, compilingEagerly: true)
    #expect(compiled.patterns.compiledCount == compiled.signatures.count)
    for (signature, pattern) in zip(compiled.signatures, compiled.patterns) {
      #expect(pattern != nil, "\(signature.id)")
    }
    #expect(CatalogValidator(catalog: compiled).jitProblems().isEmpty)
  }

  /// A run compiles only its candidates' patterns, and gives the report of a catalog compiled
  /// whole.
  @Test func bundledPatternsCompileOnFirstUse() throws {
    let lazy = try CompiledCatalog(PatternCatalog.bundled)
    #expect(lazy.patterns.compiledCount == 0)
    let eager = try CompiledCatalog(PatternCatalog.bundled, compilingEagerly: true)
    // Three failure entries' first examples, as one log.
    let failures = lazy.signatures.filter(\.signatureClass.isFailure).prefix(3)
    let log = failures.compactMap { signature in signature.mustMatch.first.map { example in example.text + "\n" } }.joined()
    let lazyFound = Classifier(catalog: lazy).classify(text: log).findings.map(\.id)
    #expect(lazyFound == Classifier(catalog: eager).classify(text: log).findings.map(\.id))
    #expect(!lazyFound.isEmpty)
    #expect(lazy.patterns.compiledCount > 0)
    #expect(lazy.patterns.compiledCount < lazy.signatures.count)
  }

  /// Threads sharing one catalog compile its patterns once each, whichever thread comes
  /// first, and all see the reports of a catalog compiled whole.
  @Test func threadsSharePatternsCompiledOnFirstUse() throws {
    let lazy = try CompiledCatalog(PatternCatalog.bundled)
    let eager = try CompiledCatalog(PatternCatalog.bundled, compilingEagerly: true)
    let log = lazy.signatures.compactMap { signature in signature.mustMatch.first.map { example in example.text + "\n" } }.joined()
    let expected = Classifier(catalog: eager).classify(text: log).findings.map(\.id)
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: 4) { _ in
      results.append(Classifier(catalog: lazy).classify(text: log).findings.map(\.id))
    }
    #expect(results.all.count == 4)
    for found in results.all { #expect(found == expected) }
  }

  /// Findings collected from several threads.
  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var found: [[String]] = []
    func append(_ ids: [String]) {
      lock.lock()
      found.append(ids)
      lock.unlock()
    }
    var all: [[String]] {
      lock.lock()
      defer { lock.unlock() }
      return found
    }
  }

  /// A changed pattern is no longer known to compile: a user entry built from a bundled one
  /// is compiled at load and its error reported.
  @Test func changedPatternIsCompiledAtLoad() throws {
    guard var signature = PatternCatalog.bundled.signatures.first else { return }
    #expect(signature.patternIsKnownGood)
    signature.pattern = "broken("
    #expect(!signature.patternIsKnownGood)
    #expect(throws: CatalogDiagnostics.self) { try CompiledCatalog(Catalog(signatures: [signature])) }
  }
}
