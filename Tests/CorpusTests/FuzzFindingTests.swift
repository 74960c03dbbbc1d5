import PatternCatalog
import Testing

@testable import SpaceTriage

/// Inputs the Classifier fuzz target found where the fast path and the plain engine disagreed,
/// reduced to the lines that mattered. Each stays here as a regression test.
struct FuzzFindingTests {
  static let catalog = try? CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory]))

  /// An access-log line whose HTTP version is none of the entry's literals (`HTTP/0.1`): the
  /// pattern allowed any `HTTP/[\d.]+`, the prefilter passed the line over, and the plain engine
  /// called the Space healthy where the fast path said unknown.
  @Test(arguments: ["0.1", "1.1", "1.0", "2", "2.0", "3", "9.9", ".1", "11"])
  func anyHTTPVersionGetsOneAnswer(_ version: String) throws {
    let catalog = try #require(Self.catalog)
    let log = """
      ===== Application Startup at 2026-11-25 11:30:00 =====

      Serving HTTP on 0.0.0.0 port ?8
      10.16.80.2 - - [25/Nov/2026 11:30:44] "GET / HTTP/\(version)" 200 -

      """
    let plain = Classifier(catalog: catalog, usesPrefilter: false).classify(text: log)
    for readSize in [1, 7, 64, 4096] {
      let fast = Classifier(catalog: catalog, readSize: readSize)
      #expect(fast.usesFastPath)
      #expect(fast.classify(text: log) == plain, "HTTP/\(version), read size \(readSize)")
    }
    // The versions real servers print are serving lines; made-up ones are not.
    #expect((plain.verdict == .healthy) == ["1.1", "1.0", "2", "2.0", "3"].contains(version), "HTTP/\(version): \(plain.verdict)")
  }

  /// Serving lines with a blank more than the entry's literal has (`URL:  http`, `running  at`):
  /// the patterns allowed any run of blanks there, the literals one.
  @Test(arguments: ["        ➜  URL:  http://0.0.0.0:7860", "Server running  at http://0.0.0.0:7860/", "App is running\ton port 7860"])
  func extraBlanksGetOneAnswer(_ line: String) throws {
    let catalog = try #require(Self.catalog)
    let log = "===== Application Startup at 2026-11-25 11:30:00 =====\n\n" + line + "\n"
    let plain = Classifier(catalog: catalog, usesPrefilter: false).classify(text: log)
    for readSize in [1, 64, 4096] {
      #expect(Classifier(catalog: catalog, readSize: readSize).classify(text: log) == plain, "\(line.debugDescription), read size \(readSize)")
    }
  }
}
