package import Foundation
package import SpaceHistory
package import SpaceTriage

/// `space-triage fleet`: many Spaces at once, one row each, and the incident rule.
package enum Fleet {
  /// One Space of the fleet.
  package struct Row: Sendable {
    package var space: String
    package var stage: String?
    package var hardware: String?
    /// `nil` when the Space could not be read (see `error`).
    package var verdict: Verdict?
    package var primary: String?
    package var primaryClass: SignatureClass?
    package var escalated = false
    package var nextStep: String?
    /// Transient failure ids of its logs, each with the time of its evidence line (if the log had one).
    package var transient: [(id: String, time: Date?)] = []
    package var error: String?
    package var errorKind: SpaceLogsError.Kind?

    /// Severity for the exit status: sleeping and paused Spaces count as healthy.
    package var effectiveVerdict: Verdict { verdict ?? .unknown }
  }

  /// Several Spaces failing with the same transient id within 30 minutes.
  package struct Incident: Sendable {
    package var id: String
    package var spaces: [String]
    package static let advice =
      "likely a platform incident: wait and check https://status.huggingface.co; do not rebuild (many unrelated Spaces failing at once)"
  }

  package static let incidentWindow: TimeInterval = 30 * 60
  package static let incidentMinimum = 3
  /// Stages that are not triaged.
  static let quiet: Set<String> = ["RUNNING", "SLEEPING", "PAUSED"]

  /// Reads every Space (`jobs` at a time), triaging those not running, sleeping or paused with
  /// `doctor`'s engine; records each triaged run in `store`. Rows come back in `spaces` order.
  package static func run(
    spaces: [String], endpoint: URL, token: String?, catalog: CompiledCatalog, jobs: Int, logWait: Double,
    store: HistoryStore?, now: Date, onStoreError: @escaping @Sendable (any Error) -> Void = { _ in }
  ) -> [Row] {
    let rows = RowBox(count: spaces.count)
    let gate = DispatchSemaphore(value: max(1, jobs))
    let group = DispatchGroup()
    for (index, space) in spaces.enumerated() {
      gate.wait()
      group.enter()
      Thread {
        defer {
          gate.signal()
          group.leave()
        }
        rows.set(index, row(space: space, endpoint: endpoint, token: token, catalog: catalog, logWait: logWait, store: store, now: now, onStoreError: onStoreError))
      }.start()
    }
    group.wait()
    return rows.all
  }

  static func row(
    space: String, endpoint: URL, token: String?, catalog: CompiledCatalog, logWait: Double, store: HistoryStore?, now: Date,
    onStoreError: (any Error) -> Void
  ) -> Row {
    var row = Row(space: space)
    do {
      let hub = HubClient(endpoint: endpoint, space: space, token: token)
      let runtime = SpaceRuntimeInfo(json: try hub.json("/api/spaces/\(space)/runtime", what: "the runtime"))
      row.stage = runtime?.stage
      row.hardware = runtime?.hardwareCurrent ?? runtime?.hardwareRequested
      if let stage = runtime?.stage, quiet.contains(stage) {
        row.verdict = .healthy
        return row
      }
      var report = try Doctor.remote(space: space, endpoint: endpoint, token: token, catalog: catalog, logWait: logWait, now: now)
      if let logs = report.logs, let store {
        do {
          report = report.withLogs(try store.record(logs, space: space, command: "fleet", attempts: report.attemptIndex, now: now).0)
        } catch {
          onStoreError(error)
        }
      }
      row.verdict = report.exitVerdict
      row.primary = report.logs?.primary
      row.primaryClass = report.logs?.primaryFinding?.signatureClass
      row.escalated = report.logs?.escalated ?? false
      row.nextStep = report.nextSteps.first?.text
      if !report.checksExplainFailure, let logs = report.logs {
        for finding in logs.findings where finding.signatureClass == .transient {
          row.transient.append((finding.id, finding.timestamp.flatMap(LogSnapshot.parseTime)))
        }
      }
    } catch let error as SpaceLogsError {
      row.error = error.message
      row.errorKind = error.kind
    } catch {
      row.error = "\(error)"
    }
    return row
  }

  /// The incident rule: the same transient id in ≥ 3 Spaces within 30 minutes, counting this
  /// fleet's Spaces (by the time of their evidence line, or `now`) and `recent` (Spaces the
  /// history store saw with that id in the 30 minutes before `now`).
  package static func incidents(_ rows: [Row], recent: [String: [String]], now: Date) -> [Incident] {
    var seen: [String: [(space: String, time: Date)]] = [:]
    for row in rows {
      for (id, time) in row.transient { seen[id, default: []].append((row.space, time ?? now)) }
    }
    var incidents: [Incident] = []
    for id in Set(seen.keys).union(recent.keys).sorted() {
      let sightings = (seen[id] ?? []).sorted { $0.time < $1.time }
      var best: Set<String> = []
      for (start, first) in sightings.enumerated() {
        var spaces: Set<String> = []
        for sighting in sightings[start...] where sighting.time.timeIntervalSince(first.time) <= incidentWindow { spaces.insert(sighting.space) }
        if spaces.count > best.count { best = spaces }
      }
      // The store's recent runs count with the fleet's sightings of the last 30 minutes.
      let lately = Set(sightings.filter { now.timeIntervalSince($0.time) <= incidentWindow }.map(\.space)).union(recent[id] ?? [])
      if lately.count > best.count { best = lately }
      if best.count >= incidentMinimum { incidents.append(Incident(id: id, spaces: best.sorted())) }
    }
    return incidents
  }

  private final class RowBox: @unchecked Sendable {
    // SAFETY: guarded by `lock`.
    private let lock = NSLock()
    private var rows: [Row?]
    init(count: Int) { rows = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ row: Row) { lock.withLock { rows[index] = row } }
    var all: [Row] { lock.withLock { rows.compactMap { $0 } } }
  }
}
