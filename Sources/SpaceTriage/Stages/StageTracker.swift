/// A stage the Space reached, and the line that showed it.
public struct StageMark: Equatable, Sendable {
  public var stage: Stage
  public var line: Int

  public init(stage: Stage, line: Int) {
    self.stage = stage
    self.line = line
  }
}

/// Follows the stages and attempts of one input, from stage markers and findings.
///
/// An attempt starts at a build banner or an app banner; an app banner that follows this
/// attempt's build continues it (build, then run). Two app banners on neighbouring lines (the
/// platform's and an app's echo of it) count once. Within an attempt the stage only moves
/// forward. Pure: no IO, no clock.
package struct StageTracker: Sendable {
  /// Attempts started by banners (0 when the input had none).
  package private(set) var bannerAttempts = 0
  /// The furthest stage of the current attempt, if any was seen.
  package private(set) var stage: Stage?
  /// The stage changes, in order (a new attempt restarts from its first stage); the most recent
  /// ``maxHistory`` to ``2 × maxHistory`` of them, so memory stays flat on endless restart loops.
  package private(set) var history: [StageMark] = []
  /// How many stage changes ``history`` keeps at least.
  package static let maxHistory = 256
  /// Stage changes dropped from the front of ``history``.
  package private(set) var droppedHistory = 0
  /// Stage changes seen in all (kept and dropped).
  package var stageChanges: Int { droppedHistory + history.count }
  /// Whether the current attempt's image was built and pushed.
  package private(set) var buildCompleted = false
  /// The line where the current attempt's image was pushed, if it was.
  package private(set) var buildCompletedLine: Int?
  /// Lines that carried any text since the last build banner (0: nothing after the banner).
  package private(set) var linesSinceBuildBanner = 0
  /// Whether the last banner was a build banner.
  package private(set) var lastBannerWasBuild = false

  private var attemptHasBuild = false
  private var attemptHasApp = false
  private var attemptHasEvents = false
  private var lastAppBannerLine = -10
  private var continuesAfterErrorBox = false
  private var eventsSinceAppBanner = 0

  package init() {}

  /// The attempt that events are counted in now (1-based; 1 also before any banner).
  package var currentAttempt: Int { max(1, bannerAttempts) }

  /// Whether the current attempt reached `running`.
  package var reachedRunning: Bool { stage == .running }

  /// The line where the current attempt reached `running`, if it did.
  package var runningLine: Int? {
    guard reachedRunning else { return nil }
    return history.last { $0.stage == .running }?.line
  }

  /// Notes a non-blank line (used for "nothing after the queued banner").
  package mutating func observeLine() {
    if lastBannerWasBuild { linesSinceBuildBanner += 1 }
  }

  /// Applies an info entry's effect seen at `line`.
  package mutating func observe(effect: Effect, stage markerStage: Stage, line: Int) {
    switch effect {
    case .none, .failureShape, .looksLikeFailure:
      return
    case .errorBoxEnd:
      // The logs pasted below a page's error box belong to the attempt the box describes.
      continuesAfterErrorBox = true
      return
    case .buildAttempt:
      startAttempt(at: .build, line: line)
      attemptHasBuild = true
      lastBannerWasBuild = true
      linesSinceBuildBanner = 0
      return
    case .appAttempt:
      defer {
        lastAppBannerLine = line
        eventsSinceAppBanner = 0
      }
      // The same banner printed twice in a row (the platform's, then the app's echo of it).
      if line - lastAppBannerLine <= 2 && eventsSinceAppBanner == 0 { return }
      lastBannerWasBuild = false
      if attemptHasBuild && !attemptHasApp {
        attemptHasApp = true
        advance(to: .startup, line: line)
      } else {
        startAttempt(at: .startup, line: line)
        attemptHasApp = true
      }
      return
    case .buildComplete:
      buildCompleted = true
      buildCompletedLine = line
      advance(to: markerStage, line: line)
    case .stage:
      advance(to: markerStage, line: line)
    }
    attemptHasEvents = true
    eventsSinceAppBanner += 1
  }

  /// Notes a failure finding: the Space got at least as far as the finding's stage.
  package mutating func observeFailure(stage failureStage: Stage, line: Int) {
    advance(to: failureStage, line: line)
    attemptHasEvents = true
    eventsSinceAppBanner += 1
  }

  private mutating func startAttempt(at first: Stage, line: Int) {
    // Events before the first banner form attempt 1 only if there were any; a pasted error
    // box and the logs below it are one attempt.
    if continuesAfterErrorBox {
      continuesAfterErrorBox = false
      bannerAttempts = max(1, bannerAttempts)
    } else if bannerAttempts == 0 && !attemptHasEvents && stage == nil {
      bannerAttempts = 1
    } else {
      bannerAttempts = max(1, bannerAttempts) + 1
    }
    stage = first
    buildCompleted = false
    buildCompletedLine = nil
    attemptHasBuild = false
    attemptHasApp = false
    attemptHasEvents = false
    record(StageMark(stage: first, line: line))
  }

  private mutating func record(_ mark: StageMark) {
    if history.count >= 2 * StageTracker.maxHistory {
      history.removeFirst(StageTracker.maxHistory)
      droppedHistory += StageTracker.maxHistory
    }
    history.append(mark)
  }

  private mutating func advance(to next: Stage, line: Int) {
    if let current = stage, current >= next { return }
    stage = next
    record(StageMark(stage: next, line: line))
  }
}
