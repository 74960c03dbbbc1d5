/// What the stage tracker knows at the end of an input, as the verdict rules need it.
package struct StageSummary: Equatable, Sendable {
  /// Attempts seen (at least 1 for a non-empty input).
  package var attempts: Int
  /// The furthest stage of the last attempt, if any.
  package var lastStage: Stage?
  /// Whether the last attempt reached `running`.
  package var reachedRunning: Bool
  /// Whether the last attempt's image was built and pushed.
  package var buildCompleted: Bool
  /// The line where the last attempt's image was pushed, if it was.
  package var buildCompletedLine: Int?
  /// The line where the last attempt reached `running`, if it did.
  package var runningLine: Int?

  package init(
    attempts: Int, lastStage: Stage?, reachedRunning: Bool, buildCompleted: Bool, buildCompletedLine: Int? = nil,
    runningLine: Int? = nil
  ) {
    self.runningLine = runningLine
    self.attempts = attempts
    self.lastStage = lastStage
    self.reachedRunning = reachedRunning
    self.buildCompleted = buildCompleted
    self.buildCompletedLine = buildCompletedLine
  }
}

/// The decision for one input.
package struct Decision: Equatable, Sendable {
  package var verdict: Verdict
  /// The id of the primary finding, if any.
  package var primary: String?
  /// The stage of the primary finding, or the last stage reached.
  package var finalStage: Stage?
  /// Whether a transient primary was escalated to persistent because it recurred.
  package var escalated: Bool
  /// The next steps, in order.
  package var advice: [AdviceStep]
  /// Why the verdict is `unknown` without a primary: where the log ends.
  package var reason: String? = nil
}

/// The verdict rules of SPEC.md, as a pure function of the findings and stages.
package enum VerdictEngine {
  /// The steps added when a transient failure recurred across attempts.
  package static func escalationAdvice(for finding: Finding) -> [AdviceStep] {
    [
      AdviceStep(
        action: "stop-retrying",
        text: "`\(finding.id)` came back in \(finding.attempts.count) attempts: the retry-once, "
          + "restart-once budget is spent. Stop retrying and restarting."),
      AdviceStep(
        action: "inspect-pins-cuda-config",
        text: "Inspect what this Space does differently: dependency pins in requirements.txt, "
          + "CUDA touched before `import spaces` or outside `@spaces.GPU`, and the README YAML "
          + "(sdk_version, python_version, hardware)."),
    ]
  }

  /// The id of the entry that needs a build that ended.
  package static let wheelBuildHangID = "build.wheel-build-hang"

  /// Why a log with no failure and no completion is `unknown`: where it ends.
  package static func endReason(_ stage: Stage?) -> String {
    switch stage {
    case nil: "the log shows no stage and no failure"
    case .config: "the log ends while the Space's configuration is read, with no error and no build"
    case .build:
      "the log ends while the image is being built, with no error and no `--> Pushing image`: "
        + "a live capture or a cut paste, not a hang; read the rest of the build log"
    case .scheduling: "the log ends while the Space waits for hardware, with no error"
    case .provisioning: "the log ends while the container is being created, with no error"
    case .startup:
      "the log ends while the app starts, with no error and no serving line: a live capture or "
        + "a cut paste; read the rest of the container log"
    case .running: "the log ends while the app runs"
    }
  }

  /// Decides the verdict.
  ///
  /// 0. Build-stage findings before the last attempt pushed its image, and earlier-stage
  ///    findings before the last attempt reached `running`, are settled.
  /// 1. Findings of earlier attempts are settled when the last attempt reached `running` with
  ///    no failure of its own (the Space recovered), unless a pasted error box says otherwise.
  /// 2. The primary is the failure finding of highest priority; ties go to the one nearest the
  ///    end of the input. A specific (non-`failure`) finding inside a pasted error box outranks
  ///    everything in the older log lines pasted below the box.
  /// 3. No primary: `healthy` if the last attempt reached `running` or completed a build,
  ///    else `unknown`.
  /// 4. `persistent` → persistent; `failure` → unknown; `transient` → transient, unless the
  ///    same id occurred in two or more attempts: then persistent, escalated.
  package static func decide(findings: [Finding], stages: StageSummary) -> Decision {
    var failures = findings.filter { $0.signatureClass.isFailure }
    // A hung wheel build needs a build that ended: an error box, a failed job (exit 143, a
    // timeout) or a later attempt. Without one the log merely ends while the wheel builds.
    let found = failures
    failures.removeAll { hang in
      hang.id == wheelBuildHangID && !hang.isBoxed && hang.occurs(inAttempt: stages.attempts)
        && !found.contains { $0.id != hang.id && ($0.isBoxed || $0.attempts.contains(where: hang.occurs(inAttempt:))) }
    }
    if let pushed = stages.buildCompletedLine {
      // A build that pushed its image did not fail: build lines before the push (e.g. a
      // source build that printed "still running..." and then finished) are settled.
      failures.removeAll { $0.stage == .build && $0.line < pushed && !$0.isBoxed }
    }
    if let running = stages.runningLine {
      // The app came up after it: a start-up problem the app survived (a retried download, an
      // optional import) is settled. Failures of the running app itself stay.
      failures.removeAll { $0.stage < .running && $0.line < running && !$0.isBoxed }
    }
    let last = stages.attempts
    if stages.reachedRunning, !failures.contains(where: { $0.occurs(inAttempt: last) || $0.isBoxed }) {
      failures = []
    }
    func decisive(_ finding: Finding) -> Int { finding.isBoxed && finding.signatureClass != .failure ? 1 : 0 }
    let primary = failures.max { lhs, rhs in
      (decisive(lhs), lhs.priority, lhs.line) < (decisive(rhs), rhs.priority, rhs.line)
    }
    guard let primary else {
      let healthy = stages.reachedRunning || stages.buildCompleted
      return Decision(
        verdict: healthy ? .healthy : .unknown, primary: nil, finalStage: stages.lastStage,
        escalated: false, advice: [], reason: healthy ? nil : endReason(stages.lastStage))
    }
    var verdict: Verdict
    var escalated = false
    var advice = primary.advice
    switch primary.signatureClass {
    case .persistent: verdict = .persistent
    case .failure, .info: verdict = .unknown
    case .transient:
      verdict = .transient
      if primary.attempts.count >= 2 {
        verdict = .persistent
        escalated = true
        advice += escalationAdvice(for: primary)
      }
    }
    return Decision(
      verdict: verdict, primary: primary.id, finalStage: primary.stage, escalated: escalated,
      advice: advice)
  }
}
