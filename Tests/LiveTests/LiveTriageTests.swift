import SpaceTriage
import Testing

/// The live analysis without IO: events in order, provisional verdicts, the stall rule on a
/// hand-driven clock.
struct LiveTriageTests {
  /// A clock the test moves by hand.
  final class ManualClock {
    var now = ContinuousClock.now
    func advance(_ duration: Duration) { now = now + duration }
  }

  /// A live analysis on the fixture catalog that records its events.
  final class Harness {
    let clock = ManualClock()
    let live: LiveTriage
    var events: [LiveTriage.Event] = []

    init(stallAfter: Duration? = .seconds(600)) throws {
      let clock = self.clock
      live = LiveTriage(
        catalog: try #require(LiveFixtures.catalog), source: "-", stallAfter: stallAfter, now: { clock.now })
      live.onEvent = { [unowned self] in events.append($0) }
    }

    func feed(_ lines: String...) {
      for line in lines {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { live.observe(UnsafeRawBufferPointer($0)) }
      }
    }

    var findingIDs: [String] {
      events.compactMap { if case .finding(let finding) = $0 { finding.id } else { nil } }
    }

    var provisional: [Report] {
      events.compactMap { if case .provisional(let report) = $0 { report } else { nil } }
    }
  }

  @Test func provisionalVerdictFollowsTheLog() throws {
    let harness = try Harness()
    harness.feed("===== Application Startup at 2026-01-01 00:00:00 =====", "loading")
    #expect(harness.provisional.isEmpty, "no verdict before a failure")
    harness.feed("Scheduling failure: not enough hardware capacity")
    #expect(harness.provisional.map(\.verdict) == [.transient])
    #expect(harness.provisional.last?.primary == "scheduling.no-capacity")
    harness.feed("still scheduling")
    #expect(harness.provisional.count == 1, "an unchanged verdict is not repeated")
    harness.feed("===== Application Startup at 2026-01-01 00:10:00 =====", "x", "* Running on local URL:  http://0.0.0.0:7860")
    #expect(harness.provisional.map(\.verdict) == [.transient, .healthy])
    let final = harness.live.finish()
    #expect(final.verdict == .healthy)
    #expect(final.attempts == 2)
  }

  @Test func eventsComeInLineOrder() throws {
    let harness = try Harness()
    harness.feed(
      #"data: {"data": "===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====", "timestamp": "2026-01-01T00:00:00Z"}"#,
      "", "data: ", ": keep-alive",
      #"data: {"data": "ERROR: No matching distribution found for torch==2.9.9\n", "timestamp": "2026-01-01T00:00:01Z"}"#)
    guard harness.events.count == 3, case .stage(let mark, 1) = harness.events[0], case .finding(let finding) = harness.events[1],
      case .provisional(let report) = harness.events[2]
    else {
      Issue.record("unexpected events: \(harness.events)")
      return
    }
    #expect(mark == StageMark(stage: .build, line: 1))
    #expect(finding.id == "build.pip-no-matching-distribution")
    #expect(finding.line == 5)
    #expect(finding.timestamp == "2026-01-01T00:00:01Z")
    #expect(report.verdict == .persistent)
    #expect(report.advice.first?.text == "Pin `torch==2.9.9` to a version that exists.")
  }

  @Test func aQuietBuildIsStuckQueued() throws {
    let harness = try Harness()
    harness.feed("===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====")
    harness.clock.advance(.seconds(599))
    harness.live.tick()
    #expect(harness.findingIDs.isEmpty)
    harness.clock.advance(.seconds(1))
    harness.live.tick()
    harness.live.tick()
    #expect(harness.findingIDs == ["build.stuck-queued"], "fires once per quiet spell")
    guard case .finding(let finding) = try #require(harness.events.last { if case .finding = $0 { true } else { false } }) else { return }
    #expect(finding.title == "Build stuck in the queue", "the catalog's entry gives the wording")
    #expect(finding.advice.first?.text == "No build progress for 600 s: restart once.")
    #expect(finding.line == 1)
    #expect(harness.provisional.last?.verdict == .transient)
    let final = harness.live.finish()
    #expect(final.primary == "build.stuck-queued")
    #expect(final.findings.filter { $0.id == "build.stuck-queued" }.count == 1)
    #expect(harness.findingIDs == ["build.stuck-queued"], "the end-of-input rule does not repeat it")
  }

  @Test func aQuietStartupStallsAndIsWithdrawnWhenTheLogMovesOn() throws {
    let harness = try Harness(stallAfter: .seconds(30))
    harness.feed("===== Application Startup at 2026-01-01 00:00:00 =====", "Downloading model.safetensors hf_abcdefghijklmnopqrstuvwxyz0123")
    harness.clock.advance(.seconds(31))
    harness.live.tick()
    #expect(harness.findingIDs == [LiveTriage.startupStallID])
    let stall = try #require(harness.live.report().primaryFinding)
    #expect(stall.stage == .startup)
    #expect(stall.line == 2)
    #expect(stall.text.contains("[REDACTED]") && !stall.text.contains("hf_abcdef"), "evidence is redacted")
    #expect(stall.title.contains("30 s"))
    #expect(!stall.advice.isEmpty)
    #expect(harness.provisional.last?.verdict == .transient)

    // Keep-alives and blank lines are not progress.
    harness.feed("data: ", "", "   ")
    #expect(harness.live.report().primary == LiveTriage.startupStallID)

    harness.feed("* Running on local URL:  http://0.0.0.0:7860")
    #expect(harness.events.contains { if case .stallEnded = $0 { true } else { false } })
    #expect(harness.provisional.last?.verdict == .healthy)
    #expect(harness.live.finish().verdict == .healthy)
  }

  @Test func noStallWhileRunningOrWhenOff() throws {
    let running = try Harness(stallAfter: .seconds(5))
    running.feed("===== Application Startup at 2026-01-01 00:00:00 =====", "* Running on local URL:  http://0.0.0.0:7860")
    running.clock.advance(.seconds(3600))
    running.live.tick()
    #expect(running.findingIDs.isEmpty)

    let off = try Harness(stallAfter: nil)
    off.feed("===== Application Startup at 2026-01-01 00:00:00 =====")
    off.clock.advance(.seconds(3600))
    off.live.tick()
    #expect(off.findingIDs.isEmpty)

    let empty = try Harness(stallAfter: .seconds(5))
    empty.clock.advance(.seconds(3600))
    empty.live.tick()
    #expect(empty.findingIDs.isEmpty, "nothing read, nothing stalled")
  }

  @Test func aWithdrawnStallIsNotARecurrence() throws {
    let harness = try Harness(stallAfter: .seconds(10))
    harness.feed("===== Application Startup at 2026-01-01 00:00:00 =====", "loading")
    harness.clock.advance(.seconds(11))
    harness.live.tick()
    harness.feed("===== Application Startup at 2026-01-01 00:30:00 =====", "x", "loading again")
    harness.clock.advance(.seconds(11))
    harness.live.tick()
    let report = harness.live.finish()
    #expect(report.primary == LiveTriage.startupStallID)
    #expect(report.verdict == .transient, "the first stall was withdrawn when the log moved on")
  }
}
