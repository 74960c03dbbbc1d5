package import SpaceTriage

extension DoctorReport {
  /// The report with its log verdict replaced (e.g. escalated across runs by the history
  /// store), next steps merged again.
  package func withLogs(_ logs: Report) -> DoctorReport {
    var report = self
    report.logs = logs
    report.nextSteps = report.mergeSteps()
    return report
  }
}
