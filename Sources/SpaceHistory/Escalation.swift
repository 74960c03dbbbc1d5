package import SpaceTriage

/// Escalation across runs, applied on top of a ``Report`` (the engine's verdict is not changed):
/// a transient primary seen for the same Space in ≥ 2 distinct attempts within 24 h, counting
/// earlier runs, becomes persistent, escalated, with the engine's escalation steps.
package enum Escalation {
  /// `report` escalated: verdict persistent, `escalated`, and the stop-retrying / inspect steps.
  package static func escalate(_ report: Report, attempts: Int, space: String) -> Report {
    guard let primary = report.primaryFinding, primary.signatureClass == .transient, !report.escalated else { return report }
    var report = report
    report.verdict = .persistent
    report.escalated = true
    report.advice += [
      AdviceStep(
        action: "stop-retrying",
        text: "`\(primary.id)` came back in \(attempts) distinct attempts of \(space) within 24 h (across runs, "
          + "from the history store): the retry-once, restart-once budget is spent. Stop retrying and restarting."),
      AdviceStep(
        action: "inspect-pins-cuda-config",
        text: "Inspect what this Space does differently: dependency pins in requirements.txt, "
          + "CUDA touched before `import spaces` or outside `@spaces.GPU`, and the README YAML "
          + "(sdk_version, python_version, hardware)."),
    ]
    return report
  }
}
