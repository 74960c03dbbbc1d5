import SpaceTriage
import Testing

struct StageTrackerTests {
  @Test func buildThenRunIsOneAttempt() {
    var tracker = StageTracker()
    tracker.observe(effect: .buildAttempt, stage: .build, line: 1)
    tracker.observe(effect: .stage, stage: .build, line: 3)
    tracker.observe(effect: .buildComplete, stage: .build, line: 20)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 30)
    tracker.observe(effect: .stage, stage: .running, line: 40)
    #expect(tracker.currentAttempt == 1)
    #expect(tracker.reachedRunning)
    #expect(tracker.history == [StageMark(stage: .build, line: 1), StageMark(stage: .startup, line: 30), StageMark(stage: .running, line: 40)])
  }

  @Test func repeatedAppBannersCountRestarts() {
    var tracker = StageTracker()
    tracker.observe(effect: .appAttempt, stage: .startup, line: 1)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 50)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 90)
    #expect(tracker.currentAttempt == 3)
    #expect(tracker.stage == .startup)
  }

  @Test func anEchoedBannerOnTheNextLinesIsNotARestart() {
    var tracker = StageTracker()
    tracker.observe(effect: .appAttempt, stage: .startup, line: 1)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 3)
    #expect(tracker.currentAttempt == 1)
  }

  @Test func aBannerLaterInTheLogAfterOutputIsAnAttempt() {
    // An app that echoes the banner itself still starts a new attempt each time it runs.
    var tracker = StageTracker()
    tracker.observeFailure(stage: .startup, line: 2)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 10)
    #expect(tracker.currentAttempt == 2)
  }

  @Test func stagesOnlyMoveForwardWithinAnAttempt() {
    var tracker = StageTracker()
    tracker.observe(effect: .stage, stage: .running, line: 5)
    tracker.observe(effect: .stage, stage: .build, line: 6)
    #expect(tracker.stage == .running)
    #expect(tracker.history.count == 1)
  }

  @Test func noiseHasNoEffect() {
    var tracker = StageTracker()
    tracker.observe(effect: .none, stage: .startup, line: 1)
    #expect(tracker.stage == nil)
    #expect(tracker.currentAttempt == 1)
  }

  @Test func linesAfterABuildBannerAreCounted() {
    var tracker = StageTracker()
    tracker.observe(effect: .buildAttempt, stage: .build, line: 1)
    #expect(tracker.lastBannerWasBuild && tracker.linesSinceBuildBanner == 0)
    tracker.observeLine()
    #expect(tracker.linesSinceBuildBanner == 1)
  }
}

struct StageTrackerErrorBoxTests {
  @Test func logsBelowAnErrorBoxAreTheBoxesAttempt() {
    var tracker = StageTracker()
    tracker.observeFailure(stage: .startup, line: 2)
    tracker.observe(effect: .errorBoxEnd, stage: .startup, line: 3)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 5)
    #expect(tracker.currentAttempt == 1)
    tracker.observe(effect: .appAttempt, stage: .startup, line: 40)
    #expect(tracker.currentAttempt == 2)
  }
}

struct StageTrackerMemoryTests {
  @Test func historyStaysBoundedOnAnEndlessRestartLoop() {
    var tracker = StageTracker()
    for attempt in 0..<10_000 {
      tracker.observe(effect: .appAttempt, stage: .startup, line: attempt * 10)
      tracker.observe(effect: .stage, stage: .running, line: attempt * 10 + 5)
    }
    #expect(tracker.history.count <= 2 * StageTracker.maxHistory)
    #expect(tracker.stageChanges == 20_000)
    #expect(tracker.history.last == StageMark(stage: .running, line: 99_995))
    #expect(tracker.currentAttempt == 10_000)
  }
}
