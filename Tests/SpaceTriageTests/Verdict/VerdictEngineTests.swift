import SpaceTriage
import Testing

/// One row of the verdict table: findings and stages in, decision out.
struct VerdictCase: CustomTestStringConvertible, Sendable {
  var name: String
  var findings: [Finding]
  var stages: StageSummary
  var verdict: Verdict
  var primary: String?
  var finalStage: Stage?
  var escalated = false
  var testDescription: String { name }
}

private func finding(
  _ id: String, _ signatureClass: SignatureClass, priority: Int = 50, line: Int, stage: Stage = .running,
  attempts: [Int] = [1]
) -> Finding {
  Finding(
    id: id, title: id, stage: stage, signatureClass: signatureClass, priority: priority, line: line,
    attempts: attempts, advice: [AdviceStep(action: "act", text: "do \(id)")])
}

private func boxed(_ finding: Finding) -> Finding {
  var copy = finding
  copy.isBoxed = true
  return copy
}

private let running = StageSummary(attempts: 1, lastStage: .running, reachedRunning: true, buildCompleted: false)
private let startup = StageSummary(attempts: 1, lastStage: .startup, reachedRunning: false, buildCompleted: false)
private let built = StageSummary(attempts: 1, lastStage: .build, reachedRunning: false, buildCompleted: true)

struct VerdictEngineTests {
  static let table: [VerdictCase] = [
    VerdictCase(name: "no failure, running → healthy", findings: [], stages: running, verdict: .healthy, finalStage: .running),
    VerdictCase(name: "no failure, build pushed → healthy", findings: [], stages: built, verdict: .healthy, finalStage: .build),
    VerdictCase(name: "no failure, not running → unknown", findings: [], stages: startup, verdict: .unknown, finalStage: .startup),
    VerdictCase(
      name: "noise only is not a failure", findings: [finding("noise.x", .info, line: 3)], stages: startup,
      verdict: .unknown, finalStage: .startup),
    VerdictCase(
      name: "persistent primary → persistent", findings: [finding("a.p", .persistent, line: 5, stage: .build)],
      stages: startup, verdict: .persistent, primary: "a.p", finalStage: .build),
    VerdictCase(
      name: "transient primary → transient", findings: [finding("a.t", .transient, line: 5)], stages: startup,
      verdict: .transient, primary: "a.t", finalStage: .running),
    VerdictCase(
      name: "failure primary → unknown", findings: [finding("a.f", .failure, priority: 10, line: 5, stage: .startup)],
      stages: startup, verdict: .unknown, primary: "a.f", finalStage: .startup),
    VerdictCase(
      name: "specific outranks generic even when earlier",
      findings: [finding("a.p", .persistent, priority: 60, line: 5), finding("a.f", .failure, priority: 10, line: 9)],
      stages: startup, verdict: .persistent, primary: "a.p", finalStage: .running),
    VerdictCase(
      name: "higher priority wins", findings: [finding("a.t", .transient, priority: 70, line: 2), finding("a.p", .persistent, priority: 60, line: 9)],
      stages: startup, verdict: .transient, primary: "a.t", finalStage: .running),
    VerdictCase(
      name: "ties go to the occurrence nearest the end",
      findings: [finding("a.p", .persistent, line: 9), finding("a.t", .transient, line: 4)], stages: startup,
      verdict: .persistent, primary: "a.p", finalStage: .running),
    VerdictCase(
      name: "ties go to the occurrence nearest the end (other order)",
      findings: [finding("a.p", .persistent, line: 4), finding("a.t", .transient, line: 9)], stages: startup,
      verdict: .transient, primary: "a.t", finalStage: .running),
    VerdictCase(
      name: "transient in two attempts → persistent, escalated",
      findings: [finding("a.t", .transient, line: 30, attempts: [1, 2])],
      stages: StageSummary(attempts: 2, lastStage: .startup, reachedRunning: false, buildCompleted: false),
      verdict: .persistent, primary: "a.t", finalStage: .running, escalated: true),
    VerdictCase(
      name: "persistent in two attempts is not escalated", findings: [finding("a.p", .persistent, line: 30, attempts: [1, 2])],
      stages: startup, verdict: .persistent, primary: "a.p", finalStage: .running),
    VerdictCase(
      name: "failure in an earlier attempt, last attempt running → healthy",
      findings: [finding("s.t", .transient, line: 3, stage: .scheduling, attempts: [1])],
      stages: StageSummary(attempts: 2, lastStage: .running, reachedRunning: true, buildCompleted: false),
      verdict: .healthy, finalStage: .running),
    VerdictCase(
      name: "failure in the last attempt after running → not healthy",
      findings: [finding("r.p", .persistent, line: 30, attempts: [2])],
      stages: StageSummary(attempts: 2, lastStage: .running, reachedRunning: true, buildCompleted: false),
      verdict: .persistent, primary: "r.p", finalStage: .running),
    VerdictCase(
      name: "a specific finding in a pasted error box outranks older log lines below it",
      findings: [
        boxed(finding("s.t", .transient, priority: 50, line: 2, stage: .scheduling)),
        finding("r.p", .persistent, priority: 80, line: 40),
      ],
      stages: startup, verdict: .transient, primary: "s.t", finalStage: .scheduling),
    VerdictCase(
      name: "a generic failure in a box does not outrank a specific line below it",
      findings: [boxed(finding("c.f", .failure, priority: 10, line: 2, stage: .startup)), finding("m.p", .persistent, line: 30, stage: .startup)],
      stages: startup, verdict: .persistent, primary: "m.p", finalStage: .startup),
    VerdictCase(
      name: "a boxed failure is not settled by older logs that reached running",
      findings: [boxed(finding("r.p", .persistent, line: 2, attempts: [1]))],
      stages: StageSummary(attempts: 2, lastStage: .running, reachedRunning: true, buildCompleted: false),
      verdict: .persistent, primary: "r.p", finalStage: .running),
    VerdictCase(
      name: "a build finding before the image was pushed is settled",
      findings: [finding("b.hang", .persistent, line: 40, stage: .build)],
      stages: StageSummary(attempts: 1, lastStage: .build, reachedRunning: false, buildCompleted: true, buildCompletedLine: 90),
      verdict: .healthy, finalStage: .build),
    VerdictCase(
      name: "a build finding after the push stays (registry push failed)",
      findings: [finding("b.push", .transient, line: 95, stage: .build)],
      stages: StageSummary(attempts: 1, lastStage: .build, reachedRunning: false, buildCompleted: true, buildCompletedLine: 90),
      verdict: .transient, primary: "b.push", finalStage: .build),
    VerdictCase(
      name: "a start-up failure the app survived (running came after it) is settled",
      findings: [finding("s.t", .transient, line: 10, stage: .startup)],
      stages: StageSummary(attempts: 1, lastStage: .running, reachedRunning: true, buildCompleted: false, runningLine: 20),
      verdict: .healthy, finalStage: .running),
    VerdictCase(
      name: "a running-stage failure before the running marker still counts",
      findings: [finding("r.p", .persistent, line: 10, stage: .running)],
      stages: StageSummary(attempts: 1, lastStage: .running, reachedRunning: true, buildCompleted: false, runningLine: 20),
      verdict: .persistent, primary: "r.p", finalStage: .running),
    // Failures that no entry names, and logs that simply end (SPEC additions of 2026-12-01).
    VerdictCase(
      name: "a specific entry outranks the generic app exception",
      findings: [
        finding("startup.app-exception", .persistent, priority: 30, line: 9, stage: .startup),
        finding("startup.module-not-found", .persistent, priority: 70, line: 5, stage: .startup),
      ],
      stages: startup, verdict: .persistent, primary: "startup.module-not-found", finalStage: .startup),
    VerdictCase(
      name: "the generic app exception outranks the generic crash",
      findings: [
        boxed(finding("startup.crashed", .failure, priority: 10, line: 2, stage: .startup)),
        finding("startup.app-exception", .persistent, priority: 30, line: 15, stage: .startup),
      ],
      stages: running, verdict: .persistent, primary: "startup.app-exception", finalStage: .startup),
    VerdictCase(
      name: "a network error at start-up is transient",
      findings: [finding("startup.network-error", .transient, priority: 30, line: 9, stage: .startup)],
      stages: startup, verdict: .transient, primary: "startup.network-error", finalStage: .startup),
    VerdictCase(
      name: "a network error in two attempts is escalated",
      findings: [finding("startup.network-error", .transient, priority: 30, line: 40, stage: .startup, attempts: [1, 2])],
      stages: StageSummary(attempts: 2, lastStage: .startup, reachedRunning: false, buildCompleted: false),
      verdict: .persistent, primary: "startup.network-error", finalStage: .startup, escalated: true),
    VerdictCase(
      name: "an app exception the app served after is settled",
      findings: [finding("startup.app-exception", .persistent, priority: 30, line: 4, stage: .startup)],
      stages: StageSummary(attempts: 1, lastStage: .running, reachedRunning: true, buildCompleted: false, runningLine: 9),
      verdict: .healthy, finalStage: .running),
    VerdictCase(
      name: "a request error after serving stays",
      findings: [finding("runtime.request-error", .persistent, priority: 30, line: 20, stage: .running)],
      stages: StageSummary(attempts: 1, lastStage: .running, reachedRunning: true, buildCompleted: false, runningLine: 9),
      verdict: .persistent, primary: "runtime.request-error", finalStage: .running),
    VerdictCase(
      name: "the wrong port outranks the launch timeout it explains",
      findings: [
        boxed(finding("startup.launch-timeout", .persistent, priority: 75, line: 2, stage: .startup)),
        boxed(finding("startup.wrong-port", .persistent, priority: 80, line: 10, stage: .startup)),
      ],
      stages: running, verdict: .persistent, primary: "startup.wrong-port", finalStage: .startup),
    VerdictCase(
      name: "a wheel build that is still running when the log ends is no hang",
      findings: [finding("build.wheel-build-hang", .persistent, priority: 60, line: 80, stage: .build)],
      stages: StageSummary(attempts: 1, lastStage: .build, reachedRunning: false, buildCompleted: false),
      verdict: .unknown, finalStage: .build),
    VerdictCase(
      name: "a wheel build ended by a failed job is a hang",
      findings: [
        boxed(finding("build.job-failed", .failure, priority: 10, line: 2, stage: .build)),
        finding("build.wheel-build-hang", .persistent, priority: 60, line: 80, stage: .build),
      ],
      stages: StageSummary(attempts: 1, lastStage: .build, reachedRunning: false, buildCompleted: false),
      verdict: .persistent, primary: "build.wheel-build-hang", finalStage: .build),
    VerdictCase(
      name: "a wheel build ended by a later attempt is a hang",
      findings: [finding("build.wheel-build-hang", .persistent, priority: 60, line: 80, stage: .build, attempts: [1])],
      stages: StageSummary(attempts: 2, lastStage: .build, reachedRunning: false, buildCompleted: false),
      verdict: .persistent, primary: "build.wheel-build-hang", finalStage: .build),
  ]

  @Test(arguments: table)
  func decides(_ row: VerdictCase) {
    let decision = VerdictEngine.decide(findings: row.findings, stages: row.stages)
    #expect(decision.verdict == row.verdict)
    #expect(decision.primary == row.primary)
    #expect(decision.finalStage == row.finalStage)
    #expect(decision.escalated == row.escalated)
  }

  @Test func adviceIsThePrimarysStepsThenEscalation() {
    let recurring = finding("a.t", .transient, line: 30, attempts: [1, 3])
    let decision = VerdictEngine.decide(findings: [recurring], stages: startup)
    #expect(decision.advice.first == AdviceStep(action: "act", text: "do a.t"))
    #expect(decision.advice.map(\.action).contains("stop-retrying"))
  }

  @Test(arguments: [
    (Stage?.none, "no stage"), (.build, "ends while the image is being built"), (.startup, "ends while the app starts"),
    (.scheduling, "waits for hardware"), (.provisioning, "container is being created"),
  ])
  func aLogThatEndsSaysWhere(_ stage: Stage?, _ words: String) {
    let stages = StageSummary(attempts: 1, lastStage: stage, reachedRunning: false, buildCompleted: false)
    let decision = VerdictEngine.decide(findings: [], stages: stages)
    #expect(decision.verdict == .unknown)
    #expect(decision.reason?.contains(words) == true)
  }

  @Test func healthyAndFailedDecisionsGiveNoReason() {
    #expect(VerdictEngine.decide(findings: [], stages: running).reason == nil)
    #expect(VerdictEngine.decide(findings: [finding("a.p", .persistent, line: 3)], stages: startup).reason == nil)
  }

  @Test func severityOrderForSeveralInputs() {
    #expect(Verdict.persistent.severity > Verdict.unknown.severity)
    #expect(Verdict.unknown.severity > Verdict.transient.severity)
    #expect(Verdict.transient.severity > Verdict.healthy.severity)
  }
}

struct AdviceTemplateTests {
  @Test func capturesFillPlaceholders() {
    let step = AdviceStep(action: "add-dependency", text: "Add `{module}` to requirements.txt ({missing} stays).")
    #expect(step.filled(with: ["module": "einops"]).text == "Add `einops` to requirements.txt (it stays).")
    #expect(AdviceStep(action: "x", text: "braces {not a name} stay").filled(with: [:]).text == "braces {not a name} stay")
    let either = AdviceStep(action: "x", text: "Add `{secret|named}`.")
    #expect(either.filled(with: ["named": "GROQ_API_KEY"]).text == "Add `GROQ_API_KEY`.")
    #expect(either.filled(with: ["secret": "HF_TOKEN", "named": "X_KEY"]).text == "Add `HF_TOKEN`.")
    #expect(either.filled(with: [:]).text == "Add `it`.")
    #expect(AdviceStep(action: "x", text: "{a|}{|b} stay").filled(with: ["a": "1", "b": "2"]).text == "{a|}{|b} stay")
  }
}
