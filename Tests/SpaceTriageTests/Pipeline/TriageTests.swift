import SpaceTriage
import Testing

/// The facade on a tiny in-memory catalog: stages, findings, captures, context, boxes.
struct TriageTests {
  static let catalog: CompiledCatalog? = {
    let yaml = """
      schema: 1
      signatures:
        - id: box.container-logs
          title: End of error box
          stage: startup
          class: info
          effect: error-box-end
          pattern: '^Container logs:$'
          anchored: true
          must-match: ['Container logs:']
          must-not-match: ['x']
        - id: stage.app
          title: App banner
          stage: startup
          class: info
          effect: app-attempt
          pattern: '===== Application Startup'
          must-match: ['===== Application Startup at 2026-01-01 00:00:00 =====']
          must-not-match: ['x']
        - id: stage.build
          title: Build banner
          stage: build
          class: info
          effect: build-attempt
          pattern: '===== Build Queued at'
          must-match: ['===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====']
          must-not-match: ['x']
        - id: stage.running
          title: Running
          stage: running
          class: info
          pattern: 'Running on local URL'
          must-match: ['* Running on local URL:  http://0.0.0.0:7860']
          must-not-match: ['x']
        - id: build.stuck-queued
          title: Stuck queued
          stage: build
          class: transient
          pattern: 'Space is still building\\. Please wait'
          advice: [{action: restart-once, text: Restart once.}]
          must-match: ['Space is still building. Please wait...']
          must-not-match: ['x']
        - id: startup.module-not-found
          title: Module not found
          stage: startup
          class: persistent
          pattern: 'No module named ''(?<module>[^'']+)'''
          advice: [{action: add-dependency, text: 'Add `{module}` to requirements.txt.'}]
          must-match: ["ModuleNotFoundError: No module named 'einops'"]
          must-not-match: ['x']
        - id: scheduling.no-capacity
          title: No capacity
          stage: scheduling
          class: transient
          pattern: 'Scheduling failure: not enough hardware capacity'
          advice: [{action: retry-once, text: Retry once.}]
          must-match: ['Scheduling failure: not enough hardware capacity']
          must-not-match: ['x']
      """
    let (signatures, problems) = CatalogLoader.parse(yaml: yaml, file: "t.yaml")
    guard problems.isEmpty else { return nil }
    return try? CompiledCatalog(Catalog(signatures: signatures))
  }()

  private func classify(_ text: String) throws -> Report {
    Classifier(catalog: try #require(Self.catalog)).classify(text: text)
  }

  @Test func capturesFillAdviceAndTracebackContextIsKept() throws {
    let report = try classify(
      """
      ===== Application Startup at 2026-01-01 00:00:00 =====
      Traceback (most recent call last):
        File "/app/app.py", line 3, in <module>
          import train
        File "/app/train.py", line 1, in <module>
          import einops
      ModuleNotFoundError: No module named 'einops'
      """)
    #expect(report.verdict == .persistent)
    let finding = try #require(report.primaryFinding)
    #expect(finding.captures == ["module": "einops"])
    #expect(report.advice.first?.text == "Add `einops` to requirements.txt.")
    #expect(
      finding.context == [
        "line 2: Traceback (most recent call last):", #"File "/app/app.py", line 3, in <module>"#,
        #"File "/app/train.py", line 1, in <module>"#,
      ])
  }

  @Test func pastedErrorBoxIsDecisive() throws {
    let report = try classify(
      """
      runtime error
      Scheduling failure: not enough hardware capacity
      Container logs:

      ===== Application Startup at 2026-01-01 00:00:00 =====
      ModuleNotFoundError: No module named 'old'
      * Running on local URL:  http://0.0.0.0:7860
      """)
    #expect(report.verdict == .transient)
    #expect(report.primary == "scheduling.no-capacity")
    #expect(report.findings.count == 2)
  }

  @Test func onlyAQueuedBannerIsStuckQueued() throws {
    let stuck = try classify("===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====\n\n")
    #expect(stuck.primary == "build.stuck-queued")
    #expect(stuck.verdict == .transient)
    let moving = try classify("===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====\n--> FROM x\n")
    #expect(moving.primary == nil)
    #expect(moving.verdict == .unknown)
  }

  @Test func restartAfterAFailureThatReachesRunningIsHealthy() throws {
    let report = try classify(
      """
      Scheduling failure: not enough hardware capacity
      ===== Application Startup at 2026-01-01 00:00:00 =====
      * Running on local URL:  http://0.0.0.0:7860
      """)
    #expect(report.verdict == .healthy)
    #expect(report.attempts == 2)
  }

  @Test func sameTransientInTwoAttemptsEscalates() throws {
    let report = try classify(
      """
      ===== Application Startup at 2026-01-01 00:00:00 =====
      Scheduling failure: not enough hardware capacity
      ===== Application Startup at 2026-01-01 00:10:00 =====
      boot
      Scheduling failure: not enough hardware capacity
      """)
    #expect(report.verdict == .persistent)
    #expect(report.escalated)
    #expect(report.primaryFinding?.attempts == [1, 2])
    #expect(report.advice.contains { $0.action == "stop-retrying" })
  }
}

struct PatternProblemTests {
  /// A pattern that gives up on one input is listed in that input's report only, and runs
  /// again on the next input classified by the same classifier.
  @Test func giveUpsDoNotCarryOverToTheNextInput() throws {
    let catalog = try CompiledCatalog(
      Catalog(signatures: [
        Signature(id: "test.boom", title: "boom", stage: .running, signatureClass: .persistent, pattern: "boom (a+)+$")
      ]))
    let classifier = Classifier(catalog: catalog)
    let first = classifier.classify(text: "boom " + String(repeating: "a", count: 40) + "!\n")
    #expect(first.catalogProblems.count == 1)
    let second = classifier.classify(text: "boom aaa\n")
    #expect(second.catalogProblems.isEmpty)
    #expect(second.findings.map(\.id) == ["test.boom"])
  }

  /// A finding repeated in an attempt it occurs in keeps its last line as bytes and writes its
  /// strings at report time; past the listed attempts every repeat does. The report must show
  /// the last line's evidence, captures, advice and context, and the count of every repeat.
  @Test(arguments: [1, 70])
  func aRepeatedFindingShowsItsLastLine(attempts: Int) throws {
    var lines: [String] = []
    for attempt in 1...attempts {
      lines.append("===== Application Startup at 2026-01-01 00:00:00 =====")
      lines.append("ModuleNotFoundError: No module named 'first\(attempt)'")
      lines.append("ModuleNotFoundError: No module named 'second\(attempt)'")
    }
    lines += [
      "Traceback (most recent call last):", #"  File "/app/app.py", line 3, in <module>"#, "    import last",
      "ModuleNotFoundError: No module named 'last'", "nothing",
    ]
    let text = lines.joined(separator: "\n") + "\n"
    let classifier = Classifier(catalog: try #require(TriageTests.catalog))
    let report = classifier.classify(text: text)
    let finding = try #require(report.findings.first { $0.id == "startup.module-not-found" })
    #expect(finding.count == 2 * attempts + 1)
    #expect(finding.line == lines.count - 1)
    #expect(finding.text == "ModuleNotFoundError: No module named 'last'")
    #expect(finding.captures == ["module": "last"])
    #expect(finding.advice.first?.text == "Add `last` to requirements.txt.")
    #expect(finding.context == ["line \(lines.count - 4): Traceback (most recent call last):", #"File "/app/app.py", line 3, in <module>"#])
    #expect(finding.attempts == Array(1...min(attempts, Triage.maxAttemptsPerFinding)))
    // Live output (told of each new finding) writes findings at once: the same report.
    var events = 0
    let live = try classifier.classify(MemorySource(text), name: "-") { _ in events += 1 }
    #expect(live == report)
    #expect(events > 0)
  }

  /// A repeat on a line too long to keep as bytes is written at once; the kept repeats before it
  /// are written first, so the report still shows the last line and every repeat.
  @Test(arguments: [false, true])
  func aLongRepeatedLineIsWrittenAtOnce(endsOnLongLine: Bool) throws {
    let long = "ModuleNotFoundError: No module named 'long'" + String(repeating: " x", count: 3000)
    var lines = [
      "===== Application Startup at 2026-01-01 00:00:00 =====", "ModuleNotFoundError: No module named 'a'",
      "ModuleNotFoundError: No module named 'b'", long,
    ]
    if !endsOnLongLine { lines.append("ModuleNotFoundError: No module named 'c'") }
    let text = lines.joined(separator: "\n") + "\n"
    let report = Classifier(catalog: try #require(TriageTests.catalog)).classify(text: text)
    let finding = try #require(report.findings.first { $0.id == "startup.module-not-found" })
    #expect(finding.count == lines.count - 1)
    #expect(finding.line == lines.count)
    #expect(finding.captures == ["module": endsOnLongLine ? "long" : "c"])
    #expect(finding.text.count == (endsOnLongLine ? 500 : 40))
  }
}
