import Foundation
import Testing

@Suite(.serialized)
struct PatternsCommandTests {
  @Test func bundledCatalogPassesItsOwnTest() throws {
    let result = try CLIRunner.run(["patterns", "test"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("all checks pass"))
  }

  @Test func listAndShow() throws {
    let list = try CLIRunner.run(["patterns", "list", "--format", "json"])
    #expect(list.status == 0)
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    #expect(entries.contains { $0["id"] as? String == "zerogpu.no-cuda-gpus" && $0["class"] as? String == "transient" })
    let show = try CLIRunner.run(["patterns", "show", "zerogpu.no-cuda-gpus"])
    #expect(show.status == 0)
    #expect(show.stdout.contains("must match:"))
    #expect(try CLIRunner.run(["patterns", "show", "no.such-id"]).status == 66)
  }

  @Test func exportPrintsOneRegexPerFailureEntry() throws {
    let export = try CLIRunner.run(["patterns", "export"])
    let list = try CLIRunner.run(["patterns", "list", "--format", "json"])
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    let failures = entries.filter { $0["class"] as? String != "info" }
    #expect(export.stdout.split(separator: "\n").count == failures.count)
  }

  /// rg's default engine (what the export is for) has no look-around, back-references, named
  /// or branch-reset groups: none is left in what `patterns export` prints, and, where rg is
  /// installed, it reads the whole export.
  @Test func exportedPatternsAreWhatRgReads() throws {
    let export = try CLIRunner.run(["patterns", "export"])
    for line in export.stdout.split(separator: "\n") {
      for construct in ["(?|", "(?=", "(?!", "(?<=", "(?<!", "(?P<", "\\k<"] {
        #expect(!line.contains(construct), "\(construct) in \(line)")
      }
      #expect(line.range(of: #"(?<!\\)\(\?<[A-Za-z_]"#, options: .regularExpression) == nil, "a named group in \(line)")
    }
    let rg = ["/usr/bin/rg", "/usr/local/bin/rg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    if let rg {
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      let patterns = directory.appendingPathComponent("patterns.pcre")
      try export.stdout.write(to: patterns, atomically: true, encoding: .utf8)
      let log = directory.appendingPathComponent("a.log")
      try "RuntimeError: No CUDA GPUs are available\n".write(to: log, atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: rg)
      process.arguments = ["-c", "--no-unicode", "-f", patterns.path, log.path]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "rg could not read the export")
    }
  }

  @Test func brokenUserCatalogExits65WithLocation() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: user.broken
          title: Broken
          stage: running
          class: persistent
          pattern: 'Unbalanced (group'
          advice: [{action: fix, text: Fix it.}]
          must-match: ['Unbalanced (group']
          must-not-match: ['balanced']
      """
    try CLIRunner.withUserCatalog(yaml) { directory in
      for command in [["patterns", "test"], ["classify"]] {
        let result = try CLIRunner.run(command + ["--patterns", directory])
        #expect(result.status == 65)
        #expect(result.stderr.contains("user.yaml:7:"), "\(result.stderr)")
        #expect(result.stderr.contains("user.broken"))
        #expect(result.stderr.contains("missing closing parenthesis"))
        #expect(result.stderr.contains("^"))
      }
    }
  }

  /// `patterns test` on the user catalog in `directory` alone: its exit status and all it printed.
  private func patternsTest(_ directory: String) throws -> (status: Int32, output: String) {
    let result = try CLIRunner.run(["patterns", "test", "--no-builtin", "--patterns", directory])
    return (result.status, result.stdout + result.stderr)
  }

  /// `literals` that miss some matches of the pattern: PCRE2 alone matches every example, but
  /// `classify` never runs the pattern on `Widget failed hard` (no literal in it).
  @Test func exampleTheEngineMissesFailsTheTest() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: user.widget
          title: Widget
          stage: running
          class: persistent
          pattern: 'Widget (?:crashed|failed) hard'
          literals: ['Widget crashed']
          advice: [{action: fix, text: Fix it.}]
          must-match: ['Widget crashed hard', 'Widget failed hard']
          must-not-match: ['Widget crashed softly']
      """
    try CLIRunner.withUserCatalog(yaml) { directory in
      let (status, output) = try patternsTest(directory)
      #expect(status == 65, "\(output)")
      #expect(output.contains("user.yaml:10:"), "\(output)")
      #expect(output.contains("`classify` does not find the entry"), "\(output)")
      let classify = try CLIRunner.run(["classify", "--no-builtin", "--patterns", directory, "--format", "json"], input: "Widget failed hard\n")
      #expect(!classify.stdout.contains("user.widget"), "the engine really misses it: \(classify.stdout)")
    }
  }

  /// `literals` that cover every example but not every match: `HTTP/[\d.]+` also matches
  /// `HTTP/0.1`, which holds none of the literals (the fuzzer found such a line in the bundled
  /// catalog's access-log entry). `patterns test` tries the examples' near variants.
  @Test func literalsThatMissANearVariantFailTheTest() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: user.access
          title: Access
          stage: running
          class: persistent
          pattern: '"GET [^"\\s]+ HTTP/[\\d.]+" 500'
          literals: ['HTTP/1.1" 500', 'HTTP/2" 500']
          advice: [{action: fix, text: Fix it.}]
          must-match: ['10.0.0.1 - - "GET / HTTP/1.1" 500 12']
          must-not-match: ['10.0.0.1 - - "GET / HTTP/1.1" 200 12']
      """
    try CLIRunner.withUserCatalog(yaml) { directory in
      let (status, output) = try patternsTest(directory)
      #expect(status == 65, "\(output)")
      #expect(output.contains("user.yaml:10:"), "\(output)")
      #expect(output.contains("do not cover every match"), "\(output)")
      #expect(output.contains("HTTP/0.1") || output.contains("HTTP/.1") || output.contains("HTTP/11"), "\(output)")
    }
  }

  @Test func userCatalogOverridesABundledEntry() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: zerogpu.no-cuda-gpus
          title: Overridden
          stage: running
          class: persistent
          pattern: 'No CUDA GPUs are available'
          advice: [{action: fix, text: Fix it.}]
          must-match: ['RuntimeError: No CUDA GPUs are available']
          must-not-match: ['CUDA GPUs']
      """
    try CLIRunner.withUserCatalog(yaml) { directory in
      let result = try CLIRunner.run(["classify", "--patterns", directory], input: ClassifyCommandTests.zeroGPULog)
      #expect(result.status == 4, "\(result.stdout)")
      #expect(result.stdout.contains("Overridden"))
    }
  }
}
